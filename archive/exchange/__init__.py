"""Exchange: what comes in and goes out as files — spreadsheets as union offices send
them (sheets, cells, places, titles, unit and post), imports and their proposals,
exports and backups."""
