import GRDB

/// The printed materials of the campaign (DOMAIN.md, "Materials"): contact cards (联系卡) and
/// linkage logs (联村联户日志). Each is a titled `ExportTable`, so every export format writes it.
public struct Material: Sendable {
    public let title: String
    public var table: ExportTable

    public init(title: String, table: ExportTable) {
        self.title = title
        self.table = table
    }
}

/// Which material, for which day or year.
public enum MaterialKind: Sendable {
    case contactCard(asOf: String)
    case linkageLog(year: Int)

    public func make(_ db: Database, for subject: MaterialSubject) throws -> Material {
        switch self {
        case .contactCard(let asOf): return try ContactCard.make(db, for: subject, asOf: asOf)
        case .linkageLog(let year): return try LinkageLog.make(db, for: subject, year: year)
        }
    }
}

/// Whose material it is: one cadre, the cadres (and the unit itself) of a unit, or what was done
/// in a township or subdistrict (its villages, communities and households).
public enum MaterialSubject: Sendable, Equatable {
    case cadre(Int64)
    case unit(Int64)
    case area(Int64)

    /// The subject named by exactly one of a cadre's id, a unit's name or id, an area's name or code.
    public static func named(_ db: Database, cadre: Int64?, unit: String?, area: String?) throws -> MaterialSubject {
        switch (cadre, unit, area) {
        case (let id?, nil, nil): return try self.cadre(db, id: id)
        case (nil, let name?, nil): return try self.unit(db, nameOrID: name)
        case (nil, nil, let name?): return try self.area(db, nameOrCode: name)
        default: throw QueryError("name one cadre, unit or township")
        }
    }

    /// The cadre with this id.
    public static func cadre(_ db: Database, id: Int64) throws -> MaterialSubject {
        guard try exists(db, "cadre", id) else { throw QueryError("there is no cadre with id \(id)") }
        return .cadre(id)
    }

    /// A unit by id or by name; a name not in the register is an error naming the nearest ones.
    public static func unit(_ db: Database, nameOrID: String) throws -> MaterialSubject {
        if let id = Int64(nameOrID) {
            guard try exists(db, "unit", id) else { throw QueryError("there is no unit with id \(id)") }
            return .unit(id)
        }
        return .unit(try id(db, table: "unit", column: "name", value: nameOrID, path: "unit"))
    }

    /// A township or subdistrict by name or by its 9-digit code; an unknown name is an error
    /// naming the nearest ones.
    public static func area(_ db: Database, nameOrCode: String) throws -> MaterialSubject {
        if nameOrCode.count == 9, nameOrCode.allSatisfy(\.isASCII), Int(nameOrCode) != nil {
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM area WHERE code = ?", arguments: [nameOrCode]) else {
                throw QueryError("there is no township or subdistrict with code \(nameOrCode)")
            }
            return .area(id)
        }
        return .area(try id(db, table: "area", column: "name", value: nameOrCode, path: "township"))
    }

    /// How the subject reads in a title: 李明（太京镇人民政府）, 区财政局, 太京镇.
    public func label(_ db: Database) throws -> String {
        switch self {
        case .cadre(let id):
            let row = try Row.fetchOne(db, sql: "SELECT c.name, u.name AS unit FROM cadre AS c JOIN unit AS u ON u.id = c.unit_id WHERE c.id = ?",
                                       arguments: [id])
            return row.map { "\($0["name"] as String)（\($0["unit"] as String)）" } ?? "cadre \(id)"
        case .unit(let id):
            return try String.fetchOne(db, sql: "SELECT name FROM unit WHERE id = ?", arguments: [id]) ?? "unit \(id)"
        case .area(let id):
            return try String.fetchOne(db, sql: "SELECT name FROM area WHERE id = ?", arguments: [id]) ?? "area \(id)"
        }
    }

    private static func exists(_ db: Database, _ table: String, _ id: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = ?)", arguments: [id]) ?? false
    }

    private static func id(_ db: Database, table: String, column: String, value: String, path: String) throws -> Int64 {
        try PlaceNameCheck.check(db, [PlaceName(table: table, column: column, value: value, path: path)])
        return try Int64.fetchOne(db, sql: "SELECT id FROM \(table) WHERE \(column) = ?", arguments: [value])!
    }
}
