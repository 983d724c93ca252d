// The archive's content generation, read from the file the app rewrites after
// every visible change (the GENERATION_FILE setting); nginx puts it in the
// micro-cache's key, so the first request after a published edit misses the
// cache and is rendered fresh. An unreadable file counts as "0".
var fs = require('fs');

function generation(r) {
    try {
        return fs.readFileSync(r.variables.archive_generation_file, 'utf8').trim() || '0';
    } catch (e) {
        return '0';
    }
}

export default {generation};
