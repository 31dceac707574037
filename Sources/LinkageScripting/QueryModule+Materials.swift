import CLua
import LinkageModel
import LuaBridge

/// Contact cards and linkage logs in Lua: `c:contact_card{ as_of = … }` and
/// `c:linkage_log{ year = … }` on cadre, unit and area records. Each returns the material as a
/// list of rows keyed by column name, whose metatable keeps the column order (`__columns`, which
/// export.* follows) and the title, and prints as the aligned text (`__tostring`).
extension QueryModule {
    func materialPrimitives() -> [String: LuaValue] {
        [
            // P.material("contact_card" | "linkage_log", record, opts)
            "material": primitive("material") { [unowned self] call in
                let kind = try call.string(1)
                let subject: MaterialSubject
                switch (recordTable(call, at: 2), call.value(2)["id"]) {
                case ("cadre", .integer(let id)): subject = .cadre(id)
                case ("unit", .integer(let id)): subject = .unit(id)
                case ("area", .integer(let id)): subject = .area(id)
                default: throw QueryError("\(kind): call it on a cadre, unit or area record, such as units:find{ name = '区财政局' }:\(kind)()")
                }
                let opts = call.value(3)
                let material: Material
                if kind == "contact_card" {
                    // c:contact_card('2012-06-30') or c:contact_card{ as_of = '2012-06-30' }, as record:cadres takes a date
                    let asOf = opts.stringValue ?? opts["as_of"].stringValue ?? opts["date"].stringValue ?? self.asOf
                    material = try MaterialKind.contactCard(asOf: try DateText.check(asOf, field: "as_of")).make(self.db, for: subject)
                } else {
                    var year = opts
                    if case .table = opts { year = opts["year"] }
                    switch year {
                    case .nil: material = try MaterialKind.linkageLog(year: Int(self.asOf.prefix(4))!).make(self.db, for: subject)
                    case .integer(let y): material = try MaterialKind.linkageLog(year: Int(clamping: y)).make(self.db, for: subject)
                    default: throw QueryError("linkage_log: year must be a whole number such as 2012; got \(year.stringValue ?? year.typeName)")
                    }
                }
                try self.push(material, on: call)
                return 1
            },
        ]
    }

    /// The material as a list of rows (NULL cells left out, as in records) with its metatable.
    private func push(_ material: Material, on call: LuaCall) throws {
        let columns = material.table.columns
        call.push(.array(material.table.rows.map { row in
            .table(Dictionary(uniqueKeysWithValues: zip(columns, row).compactMap { c, v in
                v.isNull ? nil : (LuaValue.string(c), QueryObject.luaValue(v))
            }))
        }))
        call.push(.dictionary([
            "__name": "linkage.material",
            "__title": .string(material.title),
            "__columns": .array(columns.map { .string($0) }),
        ]))
        call.stack.push(function: { [unowned self] call in
            let title = call.stack.metafield(at: 1, "__title") ?? ""
            return call.returning(.string(Material(title: title, table: try self.exportTable(call, listAt: 1, columns: nil)).text))
        }, name: "__tostring")
        call.stack.rawSet(tableAt: -2, key: "__tostring")
        lua_setmetatable(call.L, -2)
    }
}

extension LuaStack {
    /// `getmetatable(v)[key]` of the value at `index` when it is a string, read without metamethods.
    func metafield(at index: Int32, _ key: String) -> String? {
        let base = top
        defer { top = base }
        guard lua_getmetatable(L, index) != 0, rawGet(tableAt: -1, key: key) == LUA_TSTRING else { return nil }
        return string(at: -1)
    }
}
