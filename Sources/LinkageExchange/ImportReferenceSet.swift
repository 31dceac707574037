import GRDB
import LinkageModel

/// A file's references resolved at once: the distinct texts of a reference column go into a TEMP
/// table and one join per kind of reference finds the register's rows (a village by its 12-digit
/// code, an area by code or name, a unit by name, a cadre or a household by resident ID). Checking
/// a row then asks the register nothing for a reference found here; one not found is looked up on
/// its own by ``ImportValidator`` for its message (the nearest names, the ambiguous ones).
enum ReferenceSet {
    struct Found {
        /// By the text of the file: a 9-digit code or a name.
        var areas: [String: ImportValidator.AreaRef] = [:]
        /// By 12-digit code.
        var villages: [String: ImportValidator.VillageRef] = [:]
        /// By name: every village of that name, in any area.
        var villagesByName: [String: [ImportValidator.VillageRef]] = [:]
        /// By name: every cadre of that name, in any unit.
        var cadresByName: [String: [ImportValidator.CadreRef]] = [:]
        var units: [String: (id: Int64, kind: String, areaID: Int64?)] = [:]
        /// By resident ID, as ``ResidentID`` normalises it.
        var cadres: [String: ImportValidator.CadreRef] = [:]
        var households: [String: (id: Int64, headName: String, kind: String)] = [:]
    }

    /// The texts of the reference fields (`village`, `area`, `unit`, `cadre`, `cadre_resident_id`,
    /// `household`, `successor`) of the rows (a batch of the file's), trimmed as a row's check trims them.
    /// A village's or community's `code` adds its first 9 digits to the areas: the area it lies in.
    static func texts(_ rows: [InputTable.Row], mapping: [Int: String], kind: ImportKind) -> [String: Set<String>] {
        let wanted: Set<String> = ["village", "area", "unit", "cadre", "cadre_resident_id", "household", "successor"]
        var texts: [String: Set<String>] = [:]
        for (i, field) in mapping where wanted.contains(field) || (field == "code" && (kind == .villages || kind == .communities)) {
            var set = Set<String>()
            for r in rows where i < r.cells.count && !r.cells[i].isEmpty {
                let text = ImportValidator.clean(r.cells[i].text)
                set.insert(field == "code" ? String(text.prefix(9)) : text)
            }
            texts[field == "code" ? "area" : field, default: []].formUnion(set)
        }
        return texts
    }

    static func find(_ texts: [String: Set<String>], db: Database) throws -> Found {
        var found = Found()
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS linkage_import_text (text TEXT PRIMARY KEY) WITHOUT ROWID")
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.linkage_import_text") }
        /// The texts into the TEMP table, then each row of the join.
        func join(_ values: Set<String>, _ sql: String, _ each: (Row) -> Void) throws {
            guard !values.isEmpty else { return }
            try db.execute(sql: "DELETE FROM temp.linkage_import_text")
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO temp.linkage_import_text (text) VALUES (?)")
            for v in values { try insert.execute(arguments: [v]) }
            let rows = try Row.fetchCursor(db, sql: sql)
            while let r = try rows.next() { each(r) }
        }
        let isDigits = { (s: String, n: Int) in s.count == n && s.allSatisfy { $0.isASCII && $0.isNumber } }
        if let areas = texts["area"] {
            try join(areas, """
                SELECT t.text, a.id, a.code, a.name, a.kind FROM temp.linkage_import_text t
                JOIN area a ON (length(t.text) = 9 AND a.code = t.text) OR a.name = t.text
                """) { r in
                let text: String = r["text"]
                let byCode = isDigits(text, 9)
                if byCode == (text == r["code"] as String) {
                    let area = ImportValidator.AreaRef(id: r["id"], code: r["code"], name: r["name"], kind: r["kind"])
                    found.areas[text] = area
                }
            }
        }
        if let villages = texts["village"]?.filter({ isDigits($0, 12) }) {
            try join(villages, """
                SELECT v.id, v.code, v.name, v.kind, v.area_id FROM temp.linkage_import_text t JOIN village v ON v.code = t.text
                """) { r in
                let code: String = r["code"]
                let village = ImportValidator.VillageRef(id: r["id"], code: code, name: r["name"], kind: r["kind"], areaID: r["area_id"])
                found.villages[code] = village
            }
        }
        if let names = texts["village"]?.filter({ !isDigits($0, 12) }) {
            try join(names, """
                SELECT v.id, v.code, v.name, v.kind, v.area_id FROM temp.linkage_import_text t JOIN village v ON v.name = t.text
                """) { r in
                let village = ImportValidator.VillageRef(id: r["id"], code: r["code"], name: r["name"], kind: r["kind"], areaID: r["area_id"])
                found.villagesByName[village.name, default: []].append(village)
            }
        }
        if let units = texts["unit"] {
            try join(units, "SELECT u.id, u.name, u.kind, u.area_id FROM temp.linkage_import_text t JOIN unit u ON u.name = t.text") { r in
                let id: Int64 = r["id"], kind: String = r["kind"], area: Int64? = r["area_id"]
                found.units[r["name"]] = (id, kind, area)
            }
        }
        var cadreIDs = Set<String>()
        for field in ["cadre", "cadre_resident_id", "successor"] {
            for text in texts[field] ?? [] where ImportValidator.looksLikeResidentID(text) {
                if let id = try? ResidentID(text).value { cadreIDs.insert(id) }
            }
        }
        try join(cadreIDs, """
            SELECT c.id, c.name, c.unit_id, c.resident_id, c.excluded, c.left_on FROM temp.linkage_import_text t
            JOIN cadre c ON c.resident_id = t.text
            """) { r in
            let residentID: String = r["resident_id"]
            let cadre = ImportValidator.CadreRef(id: r["id"], name: r["name"], unitID: r["unit_id"], residentID: residentID,
                                                 excluded: r["excluded"], leftOn: r["left_on"])
            found.cadres[residentID] = cadre
        }
        var cadreNames = Set<String>()
        for field in ["cadre", "successor"] {
            for text in texts[field] ?? [] where !ImportValidator.looksLikeResidentID(text) { cadreNames.insert(text) }
        }
        try join(cadreNames, """
            SELECT c.id, c.name, c.unit_id, c.resident_id, c.excluded, c.left_on FROM temp.linkage_import_text t
            JOIN cadre c ON c.name = t.text
            """) { r in
            let cadre = ImportValidator.CadreRef(id: r["id"], name: r["name"], unitID: r["unit_id"], residentID: r["resident_id"],
                                                 excluded: r["excluded"], leftOn: r["left_on"])
            found.cadresByName[cadre.name, default: []].append(cadre)
        }
        var householdIDs = Set<String>()
        for text in texts["household"] ?? [] {
            if let id = try? ResidentID(text).value { householdIDs.insert(id) }
        }
        try join(householdIDs, """
            SELECT h.id, h.head_name, h.kind, h.resident_id FROM temp.linkage_import_text t JOIN household h ON h.resident_id = t.text
            """) { r in
            let id: Int64 = r["id"], head: String = r["head_name"], kind: String = r["kind"]
            found.households[r["resident_id"]] = (id, head, kind)
        }
        return found
    }
}
