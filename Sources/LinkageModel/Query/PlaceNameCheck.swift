import GRDB

/// A place named in a query must exist: `township = "太金镇"` is a typing mistake to be told about,
/// with the nearest names, not a query that quietly finds no rows (or a bulk update that changes
/// none).
public enum PlaceNameCheck {
    public static func check(_ db: Database, _ names: [PlaceName]) throws {
        for name in names {
            let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \"\(name.table)\" WHERE \"\(name.column)\" = ?)",
                                           arguments: [name.value]) ?? false
            guard !exists else { continue }
            let near = try nearest(db, to: name.value, in: name.table, column: name.column)
            throw QueryError("\(name.path) = '\(name.value)': there is no \(name.table) of that name in the register"
                             + (near.isEmpty ? "" : "; did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?"))
        }
    }

    /// The names closest to `value` by edit distance (read only when a name is missing).
    package static func nearest(_ db: Database, to value: String, in table: String, column: String, count: Int = 3) throws -> [String] {
        let target = Array(value)
        var scored: [(Int, String)] = []
        let cursor = try String.fetchCursor(db, sql: "SELECT DISTINCT \"\(column)\" FROM \"\(table)\" WHERE \"\(column)\" IS NOT NULL")
        while let candidate = try cursor.next() {
            scored.append((distance(target, Array(candidate)), candidate))
        }
        let limit = max(1, target.count / 2)
        return scored.filter { $0.0 <= limit }.sorted { $0 < $1 }.prefix(count).map(\.1)
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
