"""Schema changes, applied in order by ``flask --app archive init`` and by the tests.

Never edit a migration that has shipped; add a new one.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from archive.catalogue.vocabulary import TITLE_ALIASES, TITLE_DESCRIPTIONS, TITLES

migrations = Migrations("archive")


@migrations()
def m001_core(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE honorees (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('individual', 'collective')),
            collective_type TEXT CHECK (collective_type IN ('team', 'unit')),
            name TEXT NOT NULL,
            name_pinyin TEXT NOT NULL DEFAULT '',
            name_initials TEXT NOT NULL DEFAULT '',
            name_readings TEXT NOT NULL DEFAULT '',
            sort_key TEXT NOT NULL DEFAULT '',
            gender TEXT,
            ethnicity TEXT,
            birth_year INTEGER,
            birth_month INTEGER CHECK (birth_month BETWEEN 1 AND 12),
            province TEXT,
            city TEXT,
            county TEXT,
            region_code TEXT,
            unit TEXT,
            position TEXT,
            industry TEXT,
            summary TEXT,
            story TEXT NOT NULL DEFAULT '',
            quote TEXT,
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'review', 'published', 'withdrawn')),
            featured INTEGER NOT NULL DEFAULT 0,
            latest_year INTEGER,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            published_at TEXT,
            deleted_at TEXT
        );
        CREATE INDEX honorees_status_sort ON honorees (status, sort_key);
        CREATE INDEX honorees_status_year ON honorees (status, latest_year);
        CREATE INDEX honorees_unit ON honorees (unit);

        -- Every code ever issued, so that none is reused and merged codes still resolve.
        CREATE TABLE short_codes (
            code TEXT PRIMARY KEY,
            honoree_id INTEGER NOT NULL REFERENCES honorees(id),
            created_at TEXT NOT NULL
        );

        CREATE TABLE honour_titles (
            title TEXT PRIMARY KEY,
            level TEXT NOT NULL
                CHECK (level IN ('national', 'provincial', 'municipal', 'industry')),
            conferred_on TEXT NOT NULL CHECK (conferred_on IN ('individual', 'collective')),
            position INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE honours (
            id INTEGER PRIMARY KEY,
            honoree_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            title TEXT NOT NULL REFERENCES honour_titles(title),
            level TEXT NOT NULL
                CHECK (level IN ('national', 'provincial', 'municipal', 'industry')),
            year INTEGER NOT NULL,
            body TEXT,
            document_no TEXT,
            citation TEXT,
            revoked INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX honours_honoree ON honours (honoree_id);
        CREATE INDEX honours_facets ON honours (level, title, year);

        CREATE TABLE members (
            collective_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (collective_id, member_id)
        );
        CREATE INDEX members_member ON members (member_id);

        CREATE TABLE photos (
            id INTEGER PRIMARY KEY,
            honoree_id INTEGER REFERENCES honorees(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            is_portrait INTEGER NOT NULL DEFAULT 0,
            caption TEXT,
            credit TEXT,
            alt TEXT NOT NULL DEFAULT '',
            original TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            placeholder INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX photos_honoree ON photos (honoree_id, position);

        -- Derived image files (fixed widths, WebP and JPEG), named by content hash.
        CREATE TABLE media_files (
            name TEXT NOT NULL,
            photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            format TEXT NOT NULL CHECK (format IN ('webp', 'jpeg')),
            bytes INTEGER NOT NULL,
            PRIMARY KEY (photo_id, name)
        );
        -- Identical pictures share a content-hashed file; each photo keeps its own row.
        CREATE INDEX media_files_name ON media_files (name);

        CREATE TABLE videos (
            id INTEGER PRIMARY KEY,
            honoree_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            title TEXT,
            caption TEXT,
            credit TEXT,
            file TEXT,
            external_url TEXT,
            poster_photo_id INTEGER REFERENCES photos(id) ON DELETE SET NULL,
            duration_s REAL,
            transcript TEXT,
            created_at TEXT NOT NULL
        );

        CREATE TABLE exhibitions (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            intro TEXT NOT NULL DEFAULT '',
            cover_photo_id INTEGER REFERENCES photos(id) ON DELETE SET NULL,
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'review', 'published', 'withdrawn')),
            position INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE exhibition_sections (
            id INTEGER PRIMARY KEY,
            exhibition_id INTEGER NOT NULL REFERENCES exhibitions(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            intro TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE exhibition_items (
            section_id INTEGER NOT NULL REFERENCES exhibition_sections(id) ON DELETE CASCADE,
            honoree_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (section_id, honoree_id)
        );
        CREATE INDEX exhibition_items_honoree ON exhibition_items (honoree_id);

        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            display_name TEXT,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'curator', 'printer')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );

        -- Append-only: a snapshot of a record on every change.
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            user_id INTEGER REFERENCES users(id),
            action TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX revisions_record ON revisions (record_type, record_id, id);

        CREATE TABLE scans (
            honoree_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            run_tag TEXT NOT NULL DEFAULT '',
            count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (honoree_id, day, run_tag)
        );

        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            params TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed')),
            progress INTEGER NOT NULL DEFAULT 0,
            total INTEGER,
            message TEXT,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            started_at TEXT,
            heartbeat_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX jobs_status ON jobs (status, id);

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        """,
    )
    for position, (title, level, conferred_on) in enumerate(TITLES):
        db.execute(
            "INSERT INTO honour_titles (title, level, conferred_on, position) VALUES (?, ?, ?, ?)",
            [title, level, conferred_on, position],
        )


@migrations()
def m002_index_outbox(db: sqlite_utils.Database) -> None:
    """Changes the search index must follow, written in the same transaction as the
    change itself and drained by the one indexer (the background worker)."""
    _run_script(
        db,
        """
        CREATE TABLE index_outbox (
            id INTEGER PRIMARY KEY,
            honoree_id INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    )


@migrations()
def m040_data_imports(db: sqlite_utils.Database) -> None:
    """A record of every spreadsheet import: who, which file (by hash), what it did,
    and which honoree each row created or updated."""
    _run_script(
        db,
        """
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            job_id INTEGER REFERENCES jobs(id),
            user_id INTEGER REFERENCES users(id),
            file_name TEXT NOT NULL,
            file_sha256 TEXT NOT NULL,
            photos_name TEXT,
            rows INTEGER NOT NULL,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            unchanged INTEGER NOT NULL,
            skipped INTEGER NOT NULL,
            report TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE TABLE import_items (
            import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
            row_number INTEGER NOT NULL,
            honoree_id INTEGER NOT NULL REFERENCES honorees(id),
            action TEXT NOT NULL CHECK (action IN ('create', 'update')),
            PRIMARY KEY (import_id, row_number)
        );
        CREATE INDEX import_items_honoree ON import_items (honoree_id);
        """,
    )


@migrations()
def m020_print_runs(db: sqlite_utils.Database) -> None:
    """Print runs (what was printed, when, for which exhibition, in which format, under
    which short tag) and the honorees each run printed with the record version they
    showed, so staff can list what changed after printing."""
    _run_script(
        db,
        """
        CREATE TABLE print_runs (
            id INTEGER PRIMARY KEY,
            tag TEXT NOT NULL UNIQUE,
            format TEXT NOT NULL
                CHECK (format IN ('poster-a4', 'poster-a3', 'labels', 'book')),
            exhibition_id INTEGER REFERENCES exhibitions(id) ON DELETE SET NULL,
            section_id INTEGER REFERENCES exhibition_sections(id) ON DELETE SET NULL,
            selection TEXT NOT NULL DEFAULT '{}',
            title TEXT NOT NULL DEFAULT '',
            base_url TEXT NOT NULL,
            honoree_count INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE print_run_items (
            run_id INTEGER NOT NULL REFERENCES print_runs(id) ON DELETE CASCADE,
            honoree_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (run_id, honoree_id)
        );
        CREATE INDEX print_run_items_honoree ON print_run_items (honoree_id);
        CREATE INDEX scans_run_tag ON scans (run_tag, day);
        """,
    )


@migrations()
def m030_curate_accounts(db: sqlite_utils.Database) -> None:
    """The back office: session generations (logout and password change end old
    cookies), login throttling kept in SQLite (holds across gunicorn workers), the
    audit log, who submitted a record for review, and where a merged record went."""
    _run_script(
        db,
        """
        ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN last_login_at TEXT;
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            address TEXT NOT NULL,
            ok INTEGER NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX login_attempts_username ON login_attempts (username, at);
        CREATE INDEX login_attempts_address ON login_attempts (address, at);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER,
            username TEXT,
            action TEXT NOT NULL,
            record_type TEXT,
            record_id INTEGER,
            detail TEXT NOT NULL DEFAULT '',
            address TEXT
        );
        CREATE INDEX audit_log_at ON audit_log (id);
        ALTER TABLE honorees ADD COLUMN submitted_by INTEGER REFERENCES users(id);
        ALTER TABLE honorees ADD COLUMN merged_into INTEGER REFERENCES honorees(id);
        """,
    )


@migrations()
def m010_search_outbox_ids_never_reused(db: sqlite_utils.Database) -> None:
    """Outbox ids must only grow: an index generation remembers the last row it
    applied (its mark), and the indexer deletes applied rows. Without
    AUTOINCREMENT, SQLite would hand an emptied table's ids out again, and a new
    change would look already applied."""
    _run_script(
        db,
        """
        CREATE TABLE index_outbox_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            honoree_id INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        INSERT INTO index_outbox_new (id, honoree_id, created_at)
            SELECT id, honoree_id, created_at FROM index_outbox;
        DROP TABLE index_outbox;
        ALTER TABLE index_outbox_new RENAME TO index_outbox
        """,
    )


@migrations()
def m011_public_ids_index(db: sqlite_utils.Database) -> None:
    """The ids of published records in an index of their own (a few hundred
    pages at 100,000 records), so a results page checks that its records are
    still public without reading their rows: cold, each row is a read of its
    own."""
    db.execute(
        "CREATE INDEX honorees_public ON honorees (id) "
        "WHERE status = 'published' AND deleted_at IS NULL"
    )


@migrations()
def m050_real_office_imports(db: sqlite_utils.Database) -> None:
    """What real offices' sheets carry: the raw 工作单位及职务 cell beside its split,
    a curator-only note (备注), the recommending body (推荐单位: 省直单位, 中央企业 …,
    groupings that are not places), the title as the office wrote it, aliases of
    vocabulary titles (a merged title's old spelling), and changes an import
    proposes to existing records (never applied silently)."""
    _run_script(
        db,
        """
        ALTER TABLE honorees ADD COLUMN unit_raw TEXT;
        ALTER TABLE honorees ADD COLUMN note TEXT;
        ALTER TABLE honorees ADD COLUMN nominator TEXT;
        ALTER TABLE honours ADD COLUMN title_written TEXT;
        CREATE TABLE title_aliases (
            alias TEXT PRIMARY KEY,
            title TEXT NOT NULL REFERENCES honour_titles(title)
        );
        CREATE TABLE import_proposals (
            id INTEGER PRIMARY KEY,
            import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
            honoree_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            row_number INTEGER NOT NULL,
            changes TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'applied', 'dismissed')),
            created_at TEXT NOT NULL,
            decided_at TEXT,
            decided_by INTEGER REFERENCES users(id)
        );
        CREATE INDEX import_proposals_pending ON import_proposals (status, honoree_id)
        """,
    )
    for alias, title in TITLE_ALIASES.items():
        db.execute("INSERT INTO title_aliases (alias, title) VALUES (?, ?)", [alias, title])


@migrations()
def m080_pending_edits(db: sqlite_utils.Database) -> None:
    """An edit to a published record waiting for a second person to approve it
    (SECOND_APPROVER=1): the public keeps seeing the published version meanwhile.
    One pending edit per record; a later edit replaces it."""
    _run_script(
        db,
        """
        CREATE TABLE pending_edits (
            honoree_id INTEGER PRIMARY KEY REFERENCES honorees(id) ON DELETE CASCADE,
            fields TEXT NOT NULL,
            base_version INTEGER NOT NULL,
            user_id INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL
        )
        """,
    )


@migrations()
def m060_halls(db: sqlite_utils.Database) -> None:
    """The online panoramic hall: an exhibition's scenes, hotspots and theme; short
    codes and scan counts for targets other than honorees (halls, albums)."""
    _run_script(
        db,
        """
        ALTER TABLE exhibitions ADD COLUMN theme TEXT;
        CREATE TABLE halls (
            id INTEGER PRIMARY KEY,
            exhibition_id INTEGER NOT NULL UNIQUE REFERENCES exhibitions(id) ON DELETE CASCADE,
            code TEXT NOT NULL UNIQUE,
            generated INTEGER NOT NULL DEFAULT 1,
            entrance_key TEXT,
            signature TEXT,
            rendered_at TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE hall_scenes (
            id INTEGER PRIMARY KEY,
            hall_id INTEGER NOT NULL REFERENCES halls(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            title TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            section_id INTEGER REFERENCES exhibition_sections(id) ON DELETE SET NULL,
            source TEXT NOT NULL CHECK (source IN ('generated', 'uploaded')),
            tiles TEXT NOT NULL,
            cube_size INTEGER NOT NULL,
            tile_size INTEGER NOT NULL,
            max_level INTEGER NOT NULL,
            yaw REAL NOT NULL DEFAULT 0,
            pitch REAL NOT NULL DEFAULT 0,
            hfov REAL NOT NULL DEFAULT 100,
            UNIQUE (hall_id, key)
        );
        CREATE INDEX hall_scenes_tiles ON hall_scenes (tiles);
        CREATE TABLE hall_hotspots (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES hall_scenes(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('portrait', 'door', 'info', 'audio')),
            yaw REAL NOT NULL,
            pitch REAL NOT NULL,
            honoree_id INTEGER REFERENCES honorees(id) ON DELETE CASCADE,
            target_key TEXT,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            audio TEXT,
            baked INTEGER NOT NULL DEFAULT 0,
            generated INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX hall_hotspots_scene ON hall_hotspots (scene_id, position);
        CREATE INDEX hall_hotspots_honoree ON hall_hotspots (honoree_id);
        CREATE TABLE target_codes (
            code TEXT PRIMARY KEY,
            target_type TEXT NOT NULL CHECK (target_type IN ('hall', 'honoree_album',
                                                             'exhibition_album')),
            target_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (target_type, target_id)
        );
        CREATE TABLE target_scans (
            target_type TEXT NOT NULL,
            target_id INTEGER NOT NULL,
            day TEXT NOT NULL,
            run_tag TEXT NOT NULL DEFAULT '',
            count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (target_type, target_id, day, run_tag)
        );
        CREATE TABLE album_items (
            id INTEGER PRIMARY KEY,
            owner_type TEXT NOT NULL CHECK (owner_type IN ('honoree', 'exhibition')),
            owner_id INTEGER NOT NULL,
            photo_id INTEGER REFERENCES photos(id) ON DELETE CASCADE,
            video_id INTEGER REFERENCES videos(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            is_cover INTEGER NOT NULL DEFAULT 0,
            CHECK ((photo_id IS NULL) != (video_id IS NULL))
        );
        CREATE INDEX album_items_owner ON album_items (owner_type, owner_id, position)
        """,
    )


@migrations()
def m070_narration(db: sqlite_utils.Database) -> None:
    """Narrations (语音讲解) of a story: a curator's recording or an offline synthesis,
    with transcript and credit. Only an approved one is public; a recording is
    approved when it is encoded, a synthesis when a curator approves it. Print runs
    get a mode: a 'listen' run's codes open the profile ready to play."""
    _run_script(
        db,
        """
        CREATE TABLE narrations (
            id INTEGER PRIMARY KEY,
            honoree_id INTEGER NOT NULL REFERENCES honorees(id) ON DELETE CASCADE,
            source TEXT NOT NULL CHECK (source IN ('recording', 'synthesis')),
            status TEXT NOT NULL DEFAULT 'processing'
                CHECK (status IN ('processing', 'pending', 'approved', 'replaced', 'failed')),
            file TEXT,
            original TEXT,
            transcript TEXT NOT NULL DEFAULT '',
            credit TEXT,
            engine TEXT,
            duration_s REAL,
            bytes INTEGER,
            error TEXT,
            job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            approved_by INTEGER REFERENCES users(id),
            approved_at TEXT
        );
        CREATE INDEX narrations_honoree ON narrations (honoree_id, status);
        ALTER TABLE print_runs ADD COLUMN mode TEXT NOT NULL DEFAULT 'view'
            CHECK (mode IN ('view', 'listen'))
        """,
    )


@migrations()
def m081_title_descriptions(db: sqlite_utils.Database) -> None:
    """What a title is, who confers it and how often: shown on its public page
    (/honours/<title>), edited by curators with the vocabulary."""
    _run_script(
        db,
        """
        ALTER TABLE honour_titles ADD COLUMN description TEXT;
        ALTER TABLE honour_titles ADD COLUMN conferred_by TEXT;
        ALTER TABLE honour_titles ADD COLUMN frequency TEXT
        """,
    )
    for title, (description, body, frequency) in TITLE_DESCRIPTIONS.items():
        db.execute(
            "UPDATE honour_titles SET description = ?, conferred_by = ?, frequency = ? "
            "WHERE title = ?",
            [description, body, frequency, title],
        )


@migrations()
def m070_scan_spool(db: sqlite_utils.Database) -> None:
    """The spool files of QR scans already folded into ``scans`` (see
    :func:`archive.catalogue.scans.fold`): a fold interrupted after its commit is not
    counted twice."""
    db.execute("CREATE TABLE scan_folds (name TEXT PRIMARY KEY, at TEXT NOT NULL)")


@migrations()
def m095_pending_changes(db: sqlite_utils.Database) -> None:
    """Changes to what the public sees (halls, albums, narration, the title
    vocabulary, a published record's honours and photos) waiting for a second person
    (SECOND_APPROVER=1): the steps to replay, one row per changed thing. A recording
    uploaded for review is ``held``: once encoded it waits instead of going public."""
    _run_script(
        db,
        """
        CREATE TABLE pending_changes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            steps TEXT NOT NULL,
            base_version INTEGER,
            authors TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (kind, target)
        );
        ALTER TABLE narrations ADD COLUMN held INTEGER NOT NULL DEFAULT 0
        """,
    )


@migrations()
def m091_hall_scene_status(db: sqlite_utils.Database) -> None:
    """An uploaded panorama is cut into tiles by the worker: its scene is
    'processing' until then, 'ready' after, 'failed' with a reason for curators."""
    _run_script(
        db,
        """
        ALTER TABLE hall_scenes ADD COLUMN status TEXT NOT NULL DEFAULT 'ready'
            CHECK (status IN ('processing', 'ready', 'failed'));
        ALTER TABLE hall_scenes ADD COLUMN error TEXT
        """,
    )


@migrations()
def m096_english_texts(db: sqlite_utils.Database) -> None:
    """What a record says in English, beside the Chinese, all optional: a person's
    name as the curator confirms it (else written from the pinyin, GB/T 28039), a
    collective's English name, the summary and the story."""
    _run_script(
        db,
        """
        ALTER TABLE honorees ADD COLUMN name_en TEXT;
        ALTER TABLE honorees ADD COLUMN summary_en TEXT;
        ALTER TABLE honorees ADD COLUMN story_en TEXT
        """,
    )


@migrations()
def m097_held_videos(db: sqlite_utils.Database) -> None:
    """A video uploaded to a public record while review applies (SECOND_APPROVER=1) is
    ``held``: stored, shown to curators, public only once a second person approves."""
    db.execute("ALTER TABLE videos ADD COLUMN held INTEGER NOT NULL DEFAULT 0")


@migrations()
def m098_title_english(db: sqlite_utils.Database) -> None:
    """An honour title's English name, which curators own like the title itself;
    the seeded titles start with the English of ``english.TITLES``."""
    from archive.catalogue import english

    db.execute("ALTER TABLE honour_titles ADD COLUMN english TEXT")
    for title, name in english.TITLES.items():
        db.execute("UPDATE honour_titles SET english = ? WHERE title = ?", [name, title])


@migrations()
def m099_listing_indexes(db: sqlite_utils.Database) -> None:
    """Indexes that hold what a listing counts, so counting reads them alone and
    not the records' rows (each with its whole story): the public records' facets
    and sort keys (with the columns of the public condition, so the index covers
    the query), and each honour by its record. At 100,000 records (bench corpus)
    the count of the public records went from 172 ms to 4 ms and each record facet
    from about 170 ms to 10-25 ms."""
    _run_script(
        db,
        """
        CREATE INDEX honorees_public_facets ON honorees
            (kind, city, nominator, industry, sort_key, latest_year, status, deleted_at)
            WHERE status = 'published' AND deleted_at IS NULL;
        CREATE INDEX honours_by_honoree ON honours (honoree_id, revoked, level, title, year)
        """,
    )


def _run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the migration's
    transaction first and so lose its all-or-nothing guarantee."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def pending(db: sqlite_utils.Database) -> list[str]:
    """The migrations this database has not had yet, by name."""
    return [m.name for m in migrations.pending(db)]


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; returns the names applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending
