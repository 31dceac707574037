import Foundation
import GRDB
import SQLiteShim
import GRDBSQLite

/// A linkage register: one SQLite file at the current schema version, foreign keys on, WAL mode.
///
/// Opening checks the file before anything can write to it, so a file that is not a register, or a
/// register from a newer linkage, is refused and left byte-identical.
public final class Register {
    /// `PRAGMA application_id` of every register ("LKG1"), which tells it from other SQLite files.
    public static let applicationID: Int32 = 0x4C4B_4731

    public let path: String
    public let readOnly: Bool
    /// Seconds a writer waits for another's write lock.
    public let busyTimeout: Double
    public let queue: DatabaseQueue

    public enum Mode: Sendable {
        /// Create the file if it is absent; migrate an older register.
        case readWrite
        /// The file must exist and be current; every write fails.
        case readOnly
    }

    /// How long a writer waits for another's write lock before it gives up, in seconds.
    public static let defaultBusyTimeout = 5.0

    public init(path: String, mode: Mode = .readWrite, busyTimeout: Double = Register.defaultBusyTimeout) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        readOnly = mode == .readOnly
        let found = try Register.inspect(path: path, mustExist: readOnly)
        if let version = found, version > Schema.currentVersion {
            throw RegisterError.newerSchema(path: path, found: version, supported: Schema.currentVersion)
        }
        if readOnly, let version = found, version < Schema.currentVersion {
            throw RegisterError.needsMigration(path: path, found: version, supported: Schema.currentVersion)
        }
        if found != nil { try Register.refuseUnknownMigrations(path: path) }
        do {
            if readOnly {
                queue = try Register.openForReading(path: path, busyTimeout: busyTimeout)
            } else {
                if found != nil, !Register.isWritable(path) { throw DatabaseError(resultCode: .SQLITE_READONLY) }
                queue = try DatabaseQueue(path: path, configuration: Register.configuration(busyTimeout: busyTimeout))
                try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
                try Register.migrator().migrate(queue)
            }
        } catch let error as DatabaseError where !readOnly && (error.resultCode == .SQLITE_READONLY || Register.unwritable(path) != nil) {
            let why = Register.unwritable(path) ?? error.message ?? "read-only"
            throw RegisterError.cannotOpen(path: path, reason: "the file cannot be written (\(why)): it, its directory or its file system is read-only, or it is immutable; use --read-only to read it")
        } catch let error as DatabaseError {
            throw RegisterError.cannotOpen(path: path, reason: error.message ?? "\(error)")
        }
    }

    /// Whether SQLite can open the file for writing (not on a read-only file system, not immutable).
    /// Opening reads nothing, so no side file appears.
    static func isWritable(_ path: String) -> Bool {
        var db: OpaquePointer?
        defer { sqlite3_close_v2(db) }
        return sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK && sqlite3_db_readonly(db, "main") == 0
    }

    /// Why the register's file or its directory cannot be written (SQLite says only "unable to open
    /// database file"), or nil.
    static func unwritable(_ path: String) -> String? {
        let directory = (path as NSString).deletingLastPathComponent
        for p in [path, directory.isEmpty ? "." : directory] where access(p, W_OK) != 0 {
            return "\(p): \(String(cString: strerror(errno)))"
        }
        return nil
    }

    /// A connection that reads and can never write. It is opened read-write with `query_only` on,
    /// not read-only: SQLite lets only a connection that could write remove the `-wal` and `-shm`
    /// files when it closes last, so a read-only run leaves none behind. Where the file cannot be
    /// written at all (a read-only file system), nothing can change it either, and it is opened
    /// immutable, which needs no side files.
    static func openForReading(path: String, busyTimeout: Double = defaultBusyTimeout) throws -> DatabaseQueue {
        var config = configuration(busyTimeout: busyTimeout)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = ON") }
        do {
            // SQLite opens a file it cannot write read-only without a word, and such a connection
            // would leave side files behind: ask first, before anything is read.
            guard isWritable(path) else { throw DatabaseError(resultCode: .SQLITE_READONLY) }
            let queue = try DatabaseQueue(path: path, configuration: config)
            // Not queue.read: GRDB turns query_only off again at the end of a read.
            _ = try queue.inDatabase { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        } catch let error as DatabaseError where [.SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_IOERR].contains(error.resultCode) {
            var immutable = configuration(busyTimeout: busyTimeout)
            immutable.readonly = true
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            let uri = "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute) + "?immutable=1"
            return try DatabaseQueue(path: uri, configuration: immutable)
        }
    }

    /// Read-only work on as many connections to this register as there are cores (reports).
    public var parallelReads: ParallelReads {
        let path = self.path, busyTimeout = self.busyTimeout
        return ParallelReads { try Register.openForReading(path: path, busyTimeout: busyTimeout) }
    }

    /// The schema version of the open register.
    public func schemaVersion() throws -> Int {
        try queue.read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? 0 }
    }

    /// SQLite's memory statistics off, once, before the first connection (``linkage_sqlite_disable_memstatus``):
    /// each allocation would otherwise take a process-wide mutex that parallel reads wait on.
    /// SQLITE_MISUSE when something opened a database first; it then stays on, which is only slower.
    static let sqliteSetUp: Int32 = linkage_sqlite_disable_memstatus()

    static func configuration(busyTimeout: Double = defaultBusyTimeout) -> Configuration {
        _ = sqliteSetUp
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout)
        config.label = "linkage"
        // SQLite fires delete triggers for rows that REPLACE conflict resolution removes only with
        // recursive triggers on; without it those deletes would escape the audit log.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA recursive_triggers = ON") }
        return config
    }

    /// Refuses a register that has applied a migration this linkage does not know (a newer or
    /// another linkage's step), reading GRDB's record of applied migrations read-only.
    static func refuseUnknownMigrations(path: String) throws {
        let known = Set(Schema.migrations.map(\.id))
        let applied: [String]
        do {
            let probe = try openForReading(path: path)
            defer { try? probe.close() }
            applied = try probe.read { db in
                try db.tableExists("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
            }
        } catch let error as DatabaseError {
            throw RegisterError.cannotOpen(path: path, reason: error.message ?? "\(error)")
        }
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw RegisterError.unknownMigration(path: path, migration: unknown)
        }
    }

    /// Applies the migrations in order, each one recording the version it reaches.
    public static func migrator(upTo last: Int = Schema.currentVersion) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (i, step) in Schema.migrations.prefix(last).enumerated() {
            migrator.registerMigration(step.id) { db in
                try step.apply(db)
                try db.execute(sql: "PRAGMA user_version = \(i + 1)")
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            }
        }
        return migrator
    }

    /// Looks at the file without writing to it. Returns nil for a file to be created (absent, empty,
    /// or an SQLite file with no tables), or the schema version of an existing register.
    static func inspect(path: String, mustExist: Bool) throws -> Int? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            if mustExist { throw RegisterError.notFound(path: path) }
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
                throw RegisterError.missingDirectory(path: path)
            }
            return nil
        }
        if isDir.boolValue { throw RegisterError.isDirectory(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RegisterError.cannotOpen(path: path, reason: "permission denied")
        }
        let header = handle.readData(ofLength: 100)
        try? handle.close()
        if header.isEmpty { return nil }
        guard header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else {
            throw RegisterError.notSQLite(path: path)
        }
        // A register closed cleanly has no WAL, and its header is the truth: read it, so that not
        // even SQLite's side files appear beside a refused file. With a WAL, ask SQLite, read-only.
        let walPath = path + "-wal"
        let walSize = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
        if walSize == 0 {
            let bytes = [UInt8](header)
            func int32(_ at: Int) -> Int32 {
                Int32(bitPattern: UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3]))
            }
            let appID = int32(68)
            if appID == applicationID { return Int(int32(60)) }
            if appID == 0 && int32(28) <= 1 { return nil } // one page: no tables yet
            throw RegisterError.foreignDatabase(path: path)
        }
        do {
            // Read-only: a file that may be another program's must not even be checkpointed.
            var config = configuration()
            config.readonly = true
            let probe = try DatabaseQueue(path: path, configuration: config)
            defer { try? probe.close() }
            return try probe.read { db -> Int? in
                let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                if appID == applicationID { return try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
                if appID == 0 && tables == 0 { return nil }
                throw RegisterError.foreignDatabase(path: path)
            }
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB { throw RegisterError.notSQLite(path: path) }
            throw RegisterError.cannotOpen(path: path, reason: error.message ?? "\(error)")
        }
    }
}
