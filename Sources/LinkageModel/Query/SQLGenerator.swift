/// SQL text and the values bound to its parameters, in order.
public struct BoundSQL: Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var arguments: [SQLValue]

    public init(text: String, arguments: [SQLValue]) {
        self.text = text
        self.arguments = arguments
    }

    public var description: String {
        arguments.isEmpty ? text : text + "  -- " + arguments.map(\.description).joined(separator: ", ")
    }
}

/// The one place that turns a `Query` into SQL. Paths through relations become joins (one per
/// distinct path, reused by filters and ordering alike: inner for a NOT NULL foreign key, else
/// LEFT); values are always bound, never spliced.
public struct SQLGenerator {
    public let schema: SchemaCatalog
    public let query: Query
    var joins: [String] = []
    private var joinAlias: [String: String] = [:]
    private var joinTables: [String: String] = [:]
    var whereArguments: [SQLValue] = []

    public init(schema: SchemaCatalog, query: Query) {
        self.schema = schema
        self.query = query
    }

    var root: String { query.entity.table }

    // MARK: public statements (each starts from a fresh copy, so no join is carried over)

    public func select(_ columns: String? = nil) throws -> BoundSQL { var g = self; return try g.buildSelect(columns) }
    public func count() throws -> BoundSQL { var g = self; return try g.buildCount() }
    public func exists() throws -> BoundSQL { var g = self; return try g.buildExists() }
    public func aggregate(_ function: String, of path: String) throws -> BoundSQL { var g = self; return try g.buildAggregate(function, of: path) }
    public func pluck(_ path: String) throws -> BoundSQL { var g = self; return try g.buildPluck(path) }
    public func groupCount(_ path: String) throws -> BoundSQL { var g = self; return try g.buildGroupCount(path) }
    public func update(_ assignments: [(String, SQLValue)]) throws -> BoundSQL { var g = self; return try g.buildUpdate(assignments) }
    public func delete() throws -> BoundSQL { var g = self; return try g.buildDelete() }
    public func ids() throws -> BoundSQL { var g = self; return try g.buildIds() }

    // MARK: statements

    mutating func buildSelect(_ columns: String? = nil) throws -> BoundSQL {
        try ungrouped()
        let conditions = try whereClause()
        let order = try orderClause()
        let projected = try columns ?? query.fields.map { fields in
            try (["id"] + fields.filter { $0 != "id" }).map { path -> String in
                let f = try resolve(path)
                guard f.column != nil || f.target != nil else { throw QueryError("\(path) cannot be selected") }
                return f.expression == "\(root).\(path)" ? f.expression : "\(f.expression) AS \"\(path)\""
            }.joined(separator: ", ")
        }
        var text = "SELECT \(projected ?? root + ".*") FROM \(root)\(joinText)\(conditions)\(order)"
        if let limit = query.limit { text += " LIMIT \(limit)" }
        if let offset = query.offset { text += (query.limit == nil ? " LIMIT -1" : "") + " OFFSET \(offset)" }
        return BoundSQL(text: text, arguments: whereArguments)
    }

    mutating func buildCount() throws -> BoundSQL {
        try ungrouped()
        if query.limit != nil || query.offset != nil {
            let inner = try buildSelect("1")
            return BoundSQL(text: "SELECT count(*) FROM (\(inner.text))", arguments: inner.arguments)
        }
        let conditions = try whereClause()
        return BoundSQL(text: "SELECT count(*) FROM \(root)\(joinText)\(conditions)", arguments: whereArguments)
    }

    mutating func buildExists() throws -> BoundSQL {
        var one = limitedToOne()
        let inner = try one.buildSelect("1")
        return BoundSQL(text: "SELECT EXISTS (\(inner.text))", arguments: inner.arguments)
    }

    private func limitedToOne() -> SQLGenerator {
        var g = SQLGenerator(schema: schema, query: query.limit.map { query.limited(min($0, 1)) } ?? query.limited(1))
        g.joins = []
        return g
    }

    /// `sum`, `avg`, `min`, `max` of a field.
    mutating func buildAggregate(_ function: String, of path: String) throws -> BoundSQL {
        precondition(["sum", "avg", "min", "max", "total"].contains(function))
        try ungrouped()
        if query.limit != nil || query.offset != nil {
            let column = try resolve(path).expression
            let inner = try buildSelect("\(column) AS v")
            return BoundSQL(text: "SELECT \(function)(v) FROM (\(inner.text))", arguments: inner.arguments)
        }
        let column = try resolve(path).expression
        let conditions = try whereClause()
        return BoundSQL(text: "SELECT \(function)(\(column)) FROM \(root)\(joinText)\(conditions)", arguments: whereArguments)
    }

    /// The values of one field, in the query's order.
    mutating func buildPluck(_ path: String) throws -> BoundSQL {
        let column = try resolve(path).expression
        return try buildSelect(column)
    }

    /// Counts per value of a field, largest first: `aggregated` over the query's filters alone.
    mutating func buildGroupCount(_ path: String) throws -> BoundSQL {
        try ungrouped()
        var counted = Query(query.entity)
        for p in query.predicates { counted = counted.filtered(p) }
        counted = counted.grouped(by: [path]).ordered(by: "count", descending: true)
        return try SQLGenerator(schema: schema, query: counted).aggregated([Aggregate("count", .count)])
    }

    /// One UPDATE for every row of the query. Values are checked against the columns first.
    mutating func buildUpdate(_ assignments: [(String, SQLValue)]) throws -> BoundSQL {
        guard !assignments.isEmpty else { throw QueryError("update needs at least one field = value") }
        let info = try table(root)
        var sets: [String] = []
        var values: [SQLValue] = []
        for (name, value) in assignments {
            guard let column = info[name] else { throw unknownField(name, in: query.entity, columnsOnly: true) }
            if column.isPrimaryKey { throw QueryError("\(name) is the row's identity and cannot be changed") }
            try FieldCheck.check(value, for: column, table: root)
            sets.append("\(name) = ?")
            values.append(value)
        }
        let rows = try rowSelection()
        return BoundSQL(text: "UPDATE \(root) SET \(sets.joined(separator: ", "))\(rows.text)", arguments: values + rows.arguments)
    }

    /// One DELETE for every row of the query.
    mutating func buildDelete() throws -> BoundSQL {
        let rows = try rowSelection()
        return BoundSQL(text: "DELETE FROM \(root)\(rows.text)", arguments: rows.arguments)
    }

    /// The ids of the query's rows, as a subquery.
    mutating func buildIds() throws -> BoundSQL {
        try buildSelect("\(root).id")
    }

    /// The WHERE of an UPDATE or DELETE: direct when no join, limit or order is needed, else by id.
    private mutating func rowSelection() throws -> BoundSQL {
        let probe = try { var g = self; let sql = try g.buildSelect(); return (sql, g.joins.isEmpty) }()
        if probe.1 && query.limit == nil && query.offset == nil {
            let conditions = try whereClause()
            return BoundSQL(text: conditions, arguments: whereArguments)
        }
        var g = SQLGenerator(schema: schema, query: query)
        let inner = try g.buildIds()
        return BoundSQL(text: " WHERE id IN (\(inner.text))", arguments: inner.arguments)
    }

    /// A grouped query has rows only through `aggregated`: listing or counting its records would
    /// quietly drop the grouping.
    private func ungrouped() throws {
        guard query.isGrouped else { return }
        throw QueryError("\(query.entity.name):group_by(\(query.groups.map { "'\($0)'" }.joined(separator: ", "))) gives its rows through aggregate{ name = 'count', … }")
    }

    // MARK: clauses

    var joinText: String { joins.isEmpty ? "" : " " + joins.joined(separator: " ") }

    mutating func whereClause() throws -> String {
        whereArguments = []
        var terms: [String] = []
        if let scope = query.entity.scope {
            terms.append("\(root).\(scope.column) = ?")
            whereArguments.append(.text(scope.value))
        }
        for p in query.predicates { terms.append(try condition(p)) }
        return terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND ")
    }

    private mutating func orderClause() throws -> String {
        guard !query.ordering.isEmpty else { return "" }
        let terms = try query.ordering.map { "\(try resolve($0.path).expression)\($0.descending ? " DESC" : "")" }
        return " ORDER BY " + terms.joined(separator: ", ")
    }

    private mutating func condition(_ p: Predicate) throws -> String {
        switch p {
        case .compare(let path, let op, let value):
            let field = try resolve(path)
            let value = try field.comparable(value, op: op)
            if let target = field.target, case .text(let s) = value {
                // A relation compared with text: by code when it looks like one, else by name.
                let alias = try join(field.joinPath!, relation: target)
                let e = Catalog.table(target.table)
                let column = (s.allSatisfy(\.isNumber) ? e.codeColumn : nil) ?? e.nameColumn ?? "id"
                whereArguments.append(value)
                return "\(alias).\(column) \(op.sql) ?"
            }
            if value.isNull {
                switch op {
                case .eq: return "\(field.expression) IS NULL"
                case .ne: return "\(field.expression) IS NOT NULL"
                default: throw QueryError("\(path): only eq and ne can compare with nil")
                }
            }
            whereArguments.append(value)
            return "\(field.expression) \(op.sql) ?"
        case .among(let path, let values, let negated):
            let field = try resolve(path)
            guard !values.isEmpty else { return negated ? "1" : "0" }
            let checked = try values.map { try field.comparable($0, op: .eq) }
            if field.target != nil, checked.contains(where: { if case .text = $0 { return true } else { return false } }) {
                throw QueryError("\(path) in {...}: give records or ids, not names")
            }
            whereArguments.append(contentsOf: checked)
            let list = "(\(Array(repeating: "?", count: values.count).joined(separator: ", ")))"
            // not_in keeps NULLs, as ne does: a field that is NULL is none of the values.
            return negated ? "(\(field.expression) IS NULL OR \(field.expression) NOT IN \(list))" : "\(field.expression) IN \(list)"
        case .fragment(let sql, let values):
            whereArguments.append(contentsOf: values)
            return "(\(sql))"
        case .domain(let sql, let values):
            whereArguments.append(contentsOf: values)
            return "(" + sql.replacingOccurrences(of: "{T}", with: root) + ")"
        }
    }

    // MARK: paths

    /// What a path leads to: an SQL expression, its column when it is one, and the relation when
    /// the path ends on one (compared by id, or by name or code).
    struct Field {
        let path: String
        let expression: String
        let column: Column?
        let table: String
        let target: Relation?
        let joinPath: String?

        func comparable(_ value: SQLValue, op: Comparison) throws -> SQLValue {
            if target != nil {
                switch value {
                case .integer, .null: return value
                case .text: return value
                default: throw QueryError("\(path) is a relation: compare it with a record, an id, or a name or code")
                }
            }
            guard let column else { return value }
            if op == .like {
                guard case .text = value else { throw QueryError("\(path) like: give a text pattern such as '%镇'") }
                return value
            }
            return try FieldCheck.check(value, for: column, table: table, path: path)
        }
    }

    mutating func resolve(_ path: String) throws -> Field {
        var segments = path.split(separator: ".").map(String.init)
        guard !segments.isEmpty else { throw QueryError("empty field name") }
        if let alias = query.entity.aliases[segments[0]] {
            segments = alias.split(separator: ".").map(String.init) + segments.dropFirst()
        }
        var entity = query.entity
        var alias = root
        var walked: [String] = []
        for (i, segment) in segments.enumerated() {
            let last = i == segments.count - 1
            let info = try table(entity.table)
            if let column = info[segment], last {
                return Field(path: path, expression: "\(alias).\(segment)", column: column, table: entity.table, target: nil, joinPath: nil)
            }
            guard let relation = entity.relations[segment] else {
                throw unknownField(segment, in: entity, path: walked.isEmpty ? nil : walked.joined(separator: "."))
            }
            walked.append(segment)
            if last {
                return Field(path: path, expression: "\(alias).\(relation.column)", column: info[relation.column],
                             table: entity.table, target: relation, joinPath: walked.joined(separator: "."))
            }
            alias = try join(walked.joined(separator: "."), relation: relation, from: alias)
            entity = Catalog.table(relation.table)
        }
        throw QueryError("bad field path \(path)")
    }

    /// The alias of the join for `path`, adding the join the first time.
    private mutating func join(_ path: String, relation: Relation, from: String? = nil) throws -> String {
        if let a = joinAlias[path] { return a }
        let parentPath = path.split(separator: ".").dropLast().joined(separator: ".")
        let parent = from ?? (parentPath.isEmpty ? root : joinAlias[parentPath] ?? root)
        let alias = "j\(joins.count + 1)_\(relation.table)"
        // A NOT NULL foreign key always finds its row, so an inner join means the same and lets
        // SQLite start from the other end (area → village → household) when that is cheaper.
        let parentTable = parentPath.isEmpty ? query.entity.table : joinTables[parentPath] ?? query.entity.table
        let required = schema[parentTable]?[relation.column]?.notNull == true
        joins.append("\(required ? "JOIN" : "LEFT JOIN") \(relation.table) AS \(alias) ON \(alias).id = \(parent).\(relation.column)")
        joinTables[path] = relation.table
        joinAlias[path] = alias
        return alias
    }

    func table(_ name: String) throws -> TableInfo {
        guard let t = schema[name] else { throw QueryError("the register has no table \(name); is it at the current schema version?") }
        return t
    }

    /// An error that names the unknown field and lists the valid ones.
    func unknownField(_ name: String, in entity: Entity, path: String? = nil, columnsOnly: Bool = false) -> QueryError {
        let columns = schema[entity.table]?.columnNames ?? []
        let others = columnsOnly ? [] : (entity.relations.keys.sorted() + (path == nil ? entity.aliases.keys.sorted() : []))
        let place = path.map { "\($0) (\(entity.table))" } ?? entity.name
        let valid = columns + others
        // The nearest names first: a misspelt field is the usual mistake (and is short; a long
        // name is not a field misspelt, and its distances would cost time).
        let target = Array(name)
        let near = target.count > 40 ? [] : valid.map { (PlaceNameCheck.distance(target, Array($0)), $0) }
            .filter { $0.0 <= max(1, target.count / 3) }.sorted { $0 < $1 }.prefix(3).map(\.1)
        return QueryError("unknown field '\(name)' of \(place)\(near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?"); valid fields: \(valid.joined(separator: ", "))")
    }
}

/// Checks a value against a column's type and enumeration, with a message that names the field.
public enum FieldCheck {
    @discardableResult
    public static func check(_ value: SQLValue, for column: Column, table: String, path: String? = nil) throws -> SQLValue {
        let name = path ?? column.name
        if value.isNull {
            if column.notNull && !column.isPrimaryKey { throw QueryError("\(name) is required and cannot be nil") }
            return value
        }
        var v = value
        switch (column.kind, value) {
        case (.integer, .integer), (.real, .real), (.text, .text), (.blob, .blob), (.any, _): break
        case (.real, .integer(let i)): v = .real(Double(i))
        case (.integer, .real(let d)) where d.rounded() == d && abs(d) < 9e18: v = .integer(Int64(d))
        case (.integer, _):
            throw QueryError("\(name) is \(column.isBoolean ? "a yes/no field: give true or false" : "a whole number"), not \(describe(value))")
        case (.real, _): throw QueryError("\(name) is a number, not \(describe(value))")
        case (.text, _): throw QueryError("\(name) is text, not \(describe(value)); write it in quotes")
        case (.blob, _): throw QueryError("\(name) is binary data, not \(describe(value))")
        }
        if let allowed = column.allowed, !allowed.contains(v) {
            let list = allowed.map { if case .text(let s) = $0 { return s } else { return $0.description } }
            if column.isBoolean { throw QueryError("\(name) is a yes/no field: give true or false") }
            throw QueryError("\(name) must be one of \(list.joined(separator: ", ")); got \(describe(value))")
        }
        return v
    }

    static func describe(_ v: SQLValue) -> String {
        switch v {
        case .null: return "nil"
        case .integer(let i): return "the number \(i)"
        case .real(let d): return "the number \(d)"
        case .text(let s): return "'\(s)'"
        case .blob: return "binary data"
        }
    }
}

// MARK: place names

/// A query's comparison of a place (a township, a village, a unit …) with its name.
public struct PlaceName: Sendable, Equatable {
    public let table: String
    public let column: String
    public let value: String
    public let path: String
}

extension SQLGenerator {
    /// The names a query compares places with: a relation compared with text that is not a code
    /// (`village = "窝驼村"`), or a name reached through relations (`township = "太京镇"`), in
    /// `eq`, `ne` and every text of an `in` or `not_in` list: a misspelt name there would as
    /// silently match nothing (or, negated, everything).
    public func placeNames() throws -> [PlaceName] {
        var g = self
        var names: [PlaceName] = []
        for p in query.predicates {
            let path: String, texts: [String]
            switch p {
            case .compare(let at, .eq, .text(let text)), .compare(let at, .ne, .text(let text)):
                path = at; texts = [text]
            case .among(let at, let values, _):
                path = at; texts = values.compactMap { if case .text(let t) = $0 { t } else { nil } }
            default:
                continue
            }
            guard !texts.isEmpty else { continue }
            let field = try g.resolve(path)
            for text in texts {
                if let target = field.target, !text.allSatisfy(\.isNumber), let column = Catalog.table(target.table).nameColumn {
                    names.append(PlaceName(table: target.table, column: column, value: text, path: path))
                } else if field.target == nil, field.table != query.entity.table, let column = field.column?.name,
                          column == Catalog.table(field.table).nameColumn {
                    names.append(PlaceName(table: field.table, column: column, value: text, path: path))
                }
            }
        }
        return names
    }
}
