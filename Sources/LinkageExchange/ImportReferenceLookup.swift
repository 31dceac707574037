import Foundation
import GRDB
import LinkageModel

/// Reference lookup: areas, villages, units, cadres and households by name, code or resident ID,
/// found for the whole file at once (ReferenceSet) or, when not found there, one by one with the
/// nearest names for the message.
extension ImportValidator {
    // MARK: references

    struct AreaRef { let id: Int64; let code: String; let name: String; let kind: String }
    struct VillageRef { let id: Int64; let code: String; let name: String; let kind: String; let areaID: Int64 }
    struct CadreRef { let id: Int64; let name: String; let unitID: Int64; let residentID: String?; let excluded: String?; let leftOn: String? }

    static func looksLikeResidentID(_ s: String) -> Bool {
        s.count >= 15 && s.count <= 18 && s.dropLast().allSatisfy { $0.isASCII && $0.isNumber }
    }


    func area(_ text: String) -> Result<AreaRef, ValueProblem> {
        if let r = found.areas[text] { return .success(r) }
        let byCode = text.count == 9 && text.allSatisfy { $0.isASCII && $0.isNumber }
        let rows = (try? Row.fetchAll(db.cachedStatement(sql: "SELECT id, code, name, kind FROM area WHERE \(byCode ? "code" : "name") = ?"), arguments: [text])) ?? []
        if let r = rows.first { return .success(AreaRef(id: r["id"], code: r["code"], name: r["name"], kind: r["kind"])) }
        let similar = nearest(text, in: "area", column: byCode ? "code" : "name",
                              containing: "SELECT name FROM area WHERE instr(name, ?1) > 0 OR instr(?1, substr(name, 1, 2)) > 0 ORDER BY code LIMIT 3")
        return .failure(.init(message: "there is no township or subdistrict \(byCode ? "with code" : "named") '\(text)' in the register",
                              hint: similar.isEmpty ? "import the areas first (linkage import areas), or write the name or 9-digit code of one"
                                                    : "did you mean \(similar.joined(separator: " or "))?"))
    }

    /// The names a mistyped one may have meant: the nearest by edit distance (PlaceNameCheck's, as
    /// queries suggest them: 太金镇 → 太京镇), then those that contain it or that it contains.
    func nearest(_ text: String, in table: String, column: String, containing sql: String) -> [String] {
        var names = (try? PlaceNameCheck.nearest(db, to: text, in: table, column: column)) ?? []
        for n in (try? String.fetchAll(db.cachedStatement(sql: sql), arguments: [text])) ?? [] where !names.contains(n) { names.append(n) }
        return Array(names.prefix(3))
    }

    func village(_ text: String, area areaText: String?) -> Result<VillageRef, ValueProblem> {
        func make(_ r: Row) -> VillageRef { VillageRef(id: r["id"], code: r["code"], name: r["name"], kind: r["kind"], areaID: r["area_id"]) }
        if text.count == 12, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if let r = found.villages[text] { return .success(r) }
            if let r = try? Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM village WHERE code = ?"), arguments: [text]) { return .success(make(r)) }
            return .failure(.init(message: "there is no village or community with code \(text) in the register",
                                  hint: "import the villages first, or check the code (12 digits: the area's 9 and 3)"))
        }
        var areaRef: AreaRef?
        if let areaText {
            switch area(areaText) {
            case .success(let a): areaRef = a
            case .failure(let p):
                return .failure(.init(message: "the village '\(text)' cannot be found: its area '\(areaText)' is not in the register",
                                      hint: "fix the area column" + (p.hint.map { "; \($0)" } ?? "")))
            }
        }
        if let named = found.villagesByName[text]?.filter({ areaRef == nil || $0.areaID == areaRef!.id }), named.count == 1 { return .success(named[0]) }
        let rows = (try? Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM village WHERE name = ? AND (?2 IS NULL OR area_id = ?2)"), arguments: [text, areaRef?.id])) ?? []
        if rows.count == 1 { return .success(make(rows[0])) }
        if rows.count > 1 {
            let areas = (try? String.fetchAll(db.cachedStatement(sql: "SELECT a.name FROM village v JOIN area a ON a.id = v.area_id WHERE v.name = ? ORDER BY a.code"), arguments: [text])) ?? []
            return .failure(.init(message: "\(rows.count) villages are named '\(text)' (in \(areas.joined(separator: ", ")))",
                                  hint: "add a column 乡镇 (area) naming the township or subdistrict, or give the 12-digit code"))
        }
        return .failure(.init(message: "there is no village or community named '\(text)'\(areaRef.map { " in \($0.name)" } ?? "") in the register",
                              hint: "check the name, or give the 12-digit code; import the villages first if they are new"))
    }

    func unit(_ text: String) -> Result<(id: Int64, kind: String, areaID: Int64?), ValueProblem> {
        if let r = found.units[text] { return .success(r) }
        if let r = try? Row.fetchOne(db.cachedStatement(sql: "SELECT id, kind, area_id FROM unit WHERE name = ?"), arguments: [text]) {
            return .success((r["id"], r["kind"], r["area_id"]))
        }
        let similar = nearest(text, in: "unit", column: "name",
                              containing: "SELECT name FROM unit WHERE instr(name, ?1) > 0 OR instr(?1, name) > 0 ORDER BY name LIMIT 3")
        return .failure(.init(message: "there is no unit named '\(text)' in the register",
                              hint: similar.isEmpty ? "write the unit's full name as the register has it, or import the units first"
                                                    : "did you mean \(similar.joined(separator: " or "))?"))
    }

    func cadre(_ text: String, unit unitText: String?, what: String) -> Result<CadreRef, ValueProblem> {
        func make(_ r: Row) -> CadreRef {
            CadreRef(id: r["id"], name: r["name"], unitID: r["unit_id"], residentID: r["resident_id"], excluded: r["excluded"], leftOn: r["left_on"])
        }
        if ImportValidator.looksLikeResidentID(text) {
            let id: String
            do { id = try ResidentID(text).value } catch {
                return .failure(.init(message: "\(what) '\(text)': \(error)", hint: residentIDHint(text, error)))
            }
            if let r = found.cadres[id] { return .success(r) }
            if let r = try? Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM cadre WHERE resident_id = ?"), arguments: [id]) { return .success(make(r)) }
            return .failure(.init(message: "there is no cadre with resident ID \(id) in the register", hint: "check the number, or import the cadres first"))
        }
        var unitID: Int64?
        if let unitText {
            switch unit(unitText) {
            case .success(let u): unitID = u.id
            case .failure(let p): return .failure(p)
            }
        }
        if let named = found.cadresByName[text]?.filter({ unitID == nil || $0.unitID == unitID! }), named.count == 1 { return .success(named[0]) }
        let rows = (try? Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM cadre WHERE name = ? AND (?2 IS NULL OR unit_id = ?2)"), arguments: [text, unitID])) ?? []
        if rows.count == 1 { return .success(make(rows[0])) }
        if rows.count > 1 {
            return .failure(.init(message: "\(rows.count) cadres are named '\(text)'\(unitText.map { " in \($0)" } ?? "")",
                                  hint: unitText == nil ? "add a column 单位 (unit) naming the cadre's unit, or give the cadre's resident ID" : "give the cadre's resident ID"))
        }
        return .failure(.init(message: "there is no cadre named '\(text)'\(unitText.map { " in \($0)" } ?? "") in the register",
                              hint: "check the name and unit, give the resident ID, or import the cadres first"))
    }

    func household(_ text: String) -> Result<(id: Int64, headName: String, kind: String), ValueProblem> {
        let id: String
        do { id = try ResidentID(text).value } catch {
            return .failure(.init(message: "household '\(text)': \(error)", hint: "a household is named by its head's resident ID; " + residentIDHint(text, error)))
        }
        if let r = found.households[id] { return .success(r) }
        if let r = try? Row.fetchOne(db.cachedStatement(sql: "SELECT id, head_name, kind FROM household WHERE resident_id = ?"), arguments: [id]) {
            return .success((r["id"], r["head_name"], r["kind"]))
        }
        return .failure(.init(message: "there is no household with resident ID \(id) in the register", hint: "check the number, or import the households first"))
    }

    func resolveReferences(_ refs: [String: String], into row: inout PreparedRow, fail: (String, String, String?) -> Void) {
        switch kind {
        case .areas: break
        case .villages, .communities:
            var areaRef: AreaRef?
            if let a = refs["area"] {
                switch area(a) {
                case .success(let r): areaRef = r
                case .failure(let p): fail("area", p.message, p.hint)
                }
            } else if case .text(let code)? = row.values["code"] {
                // The area follows from the code: its first 9 digits.
                switch area(String(code.prefix(9))) {
                case .success(let r): areaRef = r
                case .failure:
                    fail("code", "no township or subdistrict has code \(code.prefix(9)), the first 9 digits of \(code)",
                         "import the areas first, or check the code")
                }
            } else if refs["area"] == nil && row.values["code"] == nil {
                return
            }
            guard let a = areaRef else { return }
            row.values["area_id"] = .integer(a.id)
            if case .text(let code)? = row.values["code"], !code.hasPrefix(a.code) {
                fail("code", "code \(code) does not begin with \(a.code), the code of \(a.name)", "a village's code is its area's 9 digits and 3 more, such as \(a.code)001")
            }
            let villageKind: String? = { if case .text(let k)? = row.values["kind"] { return k }; return kind == .communities ? "community" : "village" }()
            if let vk = villageKind {
                if vk == "village" && a.kind != "township" { fail("area", "\(a.name) is a subdistrict; a poor village lies in a township", "import it as a community (linkage import communities), or give its township") }
                if vk == "community" && a.kind != "subdistrict" { fail("area", "\(a.name) is a township; a community lies in a subdistrict", "import it as a village, or give its subdistrict") }
            }
        case .units:
            if let a = refs["area"] {
                switch area(a) {
                case .success(let r):
                    row.values["area_id"] = .integer(r.id)
                    if case .text(let k)? = row.values["kind"], k != r.kind {
                        fail("area", "a \(k) unit has no area; only township and subdistrict units do, each in an area of its own kind",
                             k == "township" || k == "subdistrict" ? "give a \(k)" : "leave \(label("area")) empty for this unit")
                    }
                case .failure(let p): fail("area", p.message, p.hint)
                }
            }
        case .cadres:
            if let u = refs["unit"] {
                switch unit(u) {
                case .success(let r): row.values["unit_id"] = .integer(r.id)
                case .failure(let p): fail("unit", p.message, p.hint)
                }
            } else { fail("unit", "\(label("unit")) is empty", "every cadre belongs to a unit; write its name") }
        case .households:
            if let v = refs["village"] {
                switch village(v, area: refs["area"]) {
                case .success(let r):
                    row.values["village_id"] = .integer(r.id)
                    let implied = r.kind == "community" ? "urban" : "rural"
                    if case .text(let k)? = row.values["kind"] {
                        if k != implied {
                            fail("kind", "a \(k) household cannot belong to \(r.name), which is a \(r.kind)",
                                 "a rural household lives in a village, an urban one in a community; write \(implied) or fix the village")
                        }
                    } else { row.values["kind"] = .text(implied) }
                case .failure(let p): fail("village", p.message, p.hint)
                }
            } else { fail("village", "\(label("village")) is empty", "write the village's 12-digit code, or its name with the 乡镇 (area) column") }
        case .links, .visits, .activities:
            let cadreText = refs["cadre_resident_id"] ?? refs["cadre"]
            if let c = cadreText {
                if refs["cadre_resident_id"] != nil, let name = refs["cadre"], case .success(let r) = cadre(refs["cadre_resident_id"]!, unit: nil, what: "cadre"), r.name != name {
                    fail("cadre", "the cadre with resident ID \(refs["cadre_resident_id"]!) is \(r.name), not \(name)", "check which of the two is right")
                }
                switch cadre(c, unit: refs["unit"], what: "cadre") {
                case .success(let r):
                    row.values["cadre_id"] = .integer(r.id)
                    if let u = refs["unit"], case .success(let unitRow) = unit(u), unitRow.id != r.unitID, refs["cadre_resident_id"] != nil || ImportValidator.looksLikeResidentID(c) {
                        fail("unit", "\(r.name) is not a cadre of \(u)", "fix the unit, or leave it empty when the cadre is given by resident ID")
                    }
                case .failure(let p): fail(refs["cadre_resident_id"] != nil ? "cadre_resident_id" : "cadre", p.message, p.hint)
                }
            } else if let u = refs["unit"] {
                switch unit(u) {
                case .success(let r): row.values["unit_id"] = .integer(r.id)
                case .failure(let p): fail("unit", p.message, p.hint)
                }
            } else {
                fail("cadre", "the row names no cadre and no unit", "give the cadre (干部身份证号, or 干部姓名 with 单位) or, for a unit's \(kind == .links ? "link" : "visit"), the unit")
            }
            if let h = refs["household"] {
                if refs["village"] != nil {
                    fail("village", "the row names both a household and a village", "a row is about one household or one village; leave the other empty")
                }
                switch household(h) {
                case .success(let r):
                    row.values["household_id"] = .integer(r.id)
                    if let name = refs["household_name"], name != r.headName {
                        fail("household_name", "the household with resident ID \(h) is headed by \(r.headName), not \(name)", "check which of the two is right")
                    }
                case .failure(let p): fail("household", p.message, p.hint)
                }
            } else if let v = refs["village"] {
                switch village(v, area: refs["area"]) {
                case .success(let r): row.values["village_id"] = .integer(r.id)
                case .failure(let p): fail("village", p.message, p.hint)
                }
            } else {
                fail("household", "the row names no household and no village", "give the household (户主身份证号) or the village (its 12-digit code, or its name with 乡镇)")
            }
            if kind == .links, let s = refs["successor"] {
                let unitName: String? = {
                    guard case .integer(let c)? = row.values["cadre_id"] else { return nil }
                    return try? String.fetchOne(db.cachedStatement(sql: "SELECT u.name FROM cadre c JOIN unit u ON u.id = c.unit_id WHERE c.id = ?"), arguments: [c])
                }()
                switch cadre(s, unit: ImportValidator.looksLikeResidentID(s) ? nil : unitName, what: "successor") {
                case .success(let r): row.values["successor_cadre_id"] = .integer(r.id)
                case .failure(let p): fail("successor", p.message, p.hint)
                }
            }
        }
    }
}
