import Crypto
import GRDB
// Raw sqlite3_* calls on GRDB's own connection: sealing and verifying step once through every
// entry, and a GRDB Row per entry would cost more than hashing it.
import GRDBSQLite

/// SQLite copies bound text before `sqlite3_bind_text` returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One statement prepared on GRDB's connection, stepped directly.
final class AuditStatement {
    private let connection: OpaquePointer
    private let handle: OpaquePointer
    private let sql: String

    init(_ db: Database, _ sql: String) throws {
        guard let connection = db.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the connection is closed", sql: sql)
        }
        self.connection = connection
        self.sql = sql
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection, sql, -1, 0, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        handle = stmt
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String) {
        _ = value.withCString { sqlite3_bind_text(handle, index, $0, -1, transient) }
    }

    /// Steps once: true while there is a row.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            // Read before the reset, which may change them.
            let code = sqlite3_extended_errcode(connection), message = String(cString: sqlite3_errmsg(connection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
    }

    /// Runs a statement that returns no row, then readies it for the next bindings.
    func run() throws {
        _ = try step()
        sqlite3_reset(handle)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }

    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: p)
    }

    /// The column as UTF-8 text without copying it (nil for NULL); valid until the next step.
    func bytes(_ column: Int32) -> UnsafeRawBufferPointer? {
        guard !isNull(column), let p = sqlite3_column_text(handle, column) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, column)))
    }
}

/// The hash chain over the audit log (schema step 4).
///
/// Each entry's link is SHA-256 of an unambiguous byte string: the previous link, the entry's
/// fields, and the fields of the session it is attributed to (or a marker for "outside linkage").
/// Every value is written as a tag byte — 0 NULL, 1 integer (8 bytes, big-endian), 2 text (its
/// UTF-8 length as 8 bytes big-endian, then the bytes) — so no two different entries can give the
/// same bytes. The previous link is text (its hex), NULL for the first entry.
enum AuditChain {
    static let entryMarker: UInt8 = 0x45   // "E"
    static let sessionMarker: UInt8 = 0x53 // "S": the session's fields follow
    static let outsideMarker: UInt8 = 0x4F // "O": written outside linkage
    static let digestMarker: UInt8 = 0x44  // "D": a session's own digest

    /// The session an entry (`c`, a row of audit_change) is attributed to: its own session_id
    /// (entries written before step 4), else the session whose range of change ids covers it, else
    /// NULL (outside linkage). The lookup is one seek in idx_audit_session_first_change.
    static func attribution(_ c: String) -> String {
        """
        coalesce(\(c).session_id, (SELECT CASE WHEN r.last_change >= \(c).id THEN r.id END FROM audit_session AS r \
        WHERE r.first_change <= \(c).id ORDER BY r.first_change DESC LIMIT 1))
        """
    }

    /// Every entry with the fields its link hashes, in id order; columns as `link` reads them.
    static let entriesSQL = """
        SELECT c.id, c.at, c.table_name, c.row_id, c.action, c.old, c.new,
               s.id, s.os_user, s.source, s.source_sha256, s.command, s.started_at
        FROM audit_change AS c LEFT JOIN audit_session AS s ON s.id = \(attribution("c"))
        """

    /// The bytes that are hashed, built in one reused buffer.
    struct Input {
        var bytes: [UInt8] = []

        mutating func reset() { bytes.removeAll(keepingCapacity: true) }

        mutating func marker(_ byte: UInt8) { bytes.append(byte) }

        mutating func int(_ value: Int64?) {
            guard let value else { bytes.append(0); return }
            bytes.append(1)
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func text(_ value: UnsafeRawBufferPointer?) {
            guard let value else { bytes.append(0); return }
            bytes.append(2)
            withUnsafeBytes(of: Int64(value.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: value)
        }

        mutating func text(_ value: String?) {
            guard var value else { bytes.append(0); return }
            value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
        }

        var sha256: String { hex(SHA256.hash(data: bytes)) }
    }

    /// The link of the entry `row` stands on (a row of `entriesSQL`), after `previous`.
    static func link(after previous: String?, _ row: AuditStatement, _ input: inout Input) -> String {
        input.reset()
        input.text(previous)
        input.marker(entryMarker)
        input.int(row.int(0))
        input.text(row.bytes(1))
        input.text(row.bytes(2))
        input.int(row.int(3))
        input.text(row.bytes(4))
        input.text(row.bytes(5))
        input.text(row.bytes(6))
        if row.isNull(7) {
            input.marker(outsideMarker)
        } else {
            input.marker(sessionMarker)
            for column: Int32 in 8...12 { input.text(row.bytes(column)) }
        }
        return input.sha256
    }

    /// A session's digest over all its own fields, so a rewritten session can be told from an
    /// altered entry.
    static func digest(id: Int64, startedAt: String?, osUser: String?, source: String?, sourceSHA256: String?,
                       command: String?, closedAt: String?, firstChange: Int64?, lastChange: Int64?) -> String {
        var input = Input()
        input.marker(digestMarker)
        input.int(id)
        for field in [startedAt, osUser, source, sourceSHA256, command, closedAt] { input.text(field) }
        input.int(firstChange)
        input.int(lastChange)
        return input.sha256
    }

    static let sessionSQL = """
        SELECT id, started_at, os_user, source, source_sha256, command, closed_at, first_change, last_change, digest
        FROM audit_session
        """

    /// The digest a session row of `sessionSQL` should carry.
    static func digest(of row: Row) -> String {
        digest(id: row["id"], startedAt: row["started_at"], osUser: row["os_user"], source: row["source"],
               sourceSHA256: row["source_sha256"], command: row["command"], closedAt: row["closed_at"],
               firstChange: row["first_change"], lastChange: row["last_change"])
    }

    /// Whether session `id` still matches the digest written when it was sealed.
    static func sessionIntact(_ db: Database, _ id: Int64) throws -> Bool {
        guard let row = try Row.fetchOne(db, sql: sessionSQL + " WHERE id = ?", arguments: [id]) else { return false }
        return row["digest"] as String? == digest(of: row)
    }

    /// Chains every entry after the chain's head, in id order, streaming: one pass, one prepared
    /// insert. Returns how many entries it chained.
    @discardableResult
    static func extend(_ db: Database) throws -> Int {
        let head = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_chain ORDER BY id DESC LIMIT 1")
        var previous: String? = head?["hash"]
        let entries = try AuditStatement(db, entriesSQL + " WHERE c.id > ? ORDER BY c.id")
        entries.bind(1, head?["id"] ?? 0)
        let insert = try AuditStatement(db, "INSERT INTO audit_chain (id, session_id, hash) VALUES (?, ?, ?)")
        var input = Input()
        var count = 0
        while try entries.step() {
            let hash = link(after: previous, entries, &input)
            insert.bind(1, entries.int(0))
            insert.bind(2, entries.optionalInt(7))
            insert.bind(3, hash)
            try insert.run()
            previous = hash
            count += 1
        }
        return count
    }

    /// Recomputes the chain from the first entry, walking entries and chain rows side by side.
    static func verify(_ db: Database) throws -> AuditVerification {
        let entries = try AuditStatement(db, entriesSQL + " ORDER BY c.id")
        let chain = try AuditStatement(db, "SELECT id, session_id, hash FROM audit_chain ORDER BY id")
        var input = Input()
        var previous: String?
        var sealed = 0, unsealed = 0
        var firstUnchained: Int64?
        var hasEntry = try entries.step(), hasLink = try chain.step()
        func broken(_ id: Int64, _ reason: AuditBreak.Reason, _ detail: String = "") -> AuditVerification {
            AuditVerification(sealed: sealed, head: previous, unsealed: 0,
                              broken: AuditBreak(changeID: id, reason: reason, detail: detail))
        }
        while hasEntry || hasLink {
            let entryID = hasEntry ? entries.int(0) : .max
            let linkID = hasLink ? chain.int(0) : .max
            if entryID < linkID {
                // Not sealed yet: only the entries after the last chain row may be so.
                firstUnchained = firstUnchained ?? entryID
                unsealed += 1
                hasEntry = try entries.step()
                continue
            }
            if let missing = firstUnchained { return broken(missing, .chainRowMissing) }
            if linkID < entryID { return broken(linkID, .entryDeleted) }
            let stored = chain.text(2) ?? ""
            let computed = link(after: previous, entries, &input)
            if computed != stored {
                return try diagnose(db, entries, chain, previous: previous, computed: computed, stored: stored,
                                    input: &input, broken: broken)
            }
            previous = stored
            sealed += 1
            hasEntry = try entries.step()
            hasLink = try chain.step()
        }
        return AuditVerification(sealed: sealed, head: previous, unsealed: unsealed, broken: nil)
    }

    /// Why the link of the current entry does not hold. The session's attribution and digest
    /// tell a rewritten session; the next link tells an altered chain row (the next link was
    /// computed from the original hash, which the intact entry still reproduces) from an altered
    /// entry (the next link still follows from the stored hash).
    private static func diagnose(
        _ db: Database, _ entries: AuditStatement, _ chain: AuditStatement, previous: String?, computed: String,
        stored: String, input: inout Input, broken: (Int64, AuditBreak.Reason, String) -> AuditVerification
    ) throws -> AuditVerification {
        let id = entries.int(0)
        let sealedUnder = chain.optionalInt(1), attributed = entries.optionalInt(7)
        func name(_ session: Int64?) -> String { session.map { "session \($0)" } ?? "outside linkage" }
        if stored.utf8.count != 64 || !stored.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
            return broken(id, .chainRowAltered, "its stored hash is not a SHA-256")
        }
        if sealedUnder != attributed {
            return broken(id, .sessionRewritten(session: sealedUnder ?? attributed!),
                          "it was sealed under \(name(sealedUnder)) and is now attributed to \(name(attributed))")
        }
        if let attributed, try !sessionIntact(db, attributed) {
            return broken(id, .sessionRewritten(session: attributed), "")
        }
        guard try entries.step(), try chain.step(), entries.int(0) == chain.int(0), let next = chain.text(2) else {
            return broken(id, .entryAltered, "or its chain row: no sealed entry follows to tell which")
        }
        if link(after: stored, entries, &input) == next { return broken(id, .entryAltered, "") }
        if link(after: computed, entries, &input) == next { return broken(id, .chainRowAltered, "") }
        return broken(id, .entryAltered, "and what follows it")
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 64) { buffer in
            var i = 0
            for byte in digest {
                buffer[i] = digits[Int(byte >> 4)]
                buffer[i + 1] = digits[Int(byte & 0x0F)]
                i += 2
            }
            return i
        }
    }
}
