import CLua
import Foundation
import GRDB
import LinkageModel
import LinkageReport
import LuaBridge

/// `report.*` in Lua: the primitives under Lua/report.lua — a report as a Lua table turned into
/// the document LinkageReport renders, and the built-in reports turned into Lua tables.
final class ReportModule {
    let queries: QueryModule
    let showPII: Bool
    let writes: WritePolicy

    init(queries: QueryModule, showPII: Bool, writes: WritePolicy) {
        self.queries = queries
        self.showPII = showPII
        self.writes = writes
    }

    func install(in lua: LuaState) throws {
        let f = queries.primitive
        let primitives: [String: LuaValue] = [
            "names": .array(BuiltInReports.all.map { .string($0.name) }),
            // format(spec) checks a format such as 'percent:1'
            "format": f("format") { call in
                _ = try ReportModule.format(call.value(1))
                return 0
            },
            // rows(rows or query, columns) --> { columns = { … }, rows = { { … }, … } }
            "rows": f("rows") { [self] call in
                var columns: [String]?
                if case .array(let list) = call.value(2) { columns = list.compactMap(\.stringValue) }
                var table = try self.queries.rowsTable(call, at: 1, columns: columns)
                if !self.showPII { table = table.masked() }
                return call.returning(.dictionary([
                    "columns": .array(table.columns.map { .string($0) }),
                    "rows": .array(table.rows.map { .array($0.map(QueryObject.luaValue)) }),
                ]))
            },
            // builtin(name, year, as_of, area) --> the report as a table
            "builtin": f("builtin") { [self] call in
                let name = try call.string(1)
                do {
                    _ = try BuiltInReports.named(name)
                    let period = try CheckPeriod(year: try call.optionalInteger(2).map { Int($0) },
                                                 asOf: try call.optionalString(3) ?? (call.isNil(2) ? self.queries.asOf : nil))
                    let db = self.queries.db
                    let area = try call.optionalString(4).map { try ReportContext.area(db, $0) }
                    // the engine's other connections, when the script has changed nothing yet
                    var report = try BuiltInReports.make(name, ReportContext(db: db, period: period, area: area, parallel: self.queries.parallel))
                    if !self.showPII { report = ReportModule.masked(report) }
                    return call.returning(ReportModule.lua(report))
                } catch let e as QueryError {
                    throw LuaRuntimeError(e.message)
                }
            },
            // render(report, 'html' | 'markdown') --> text
            "render": f("render") { call in
                let report = try ReportModule.report(call.value(1))
                return call.returning(.string((try call.string(2) == "html" ? ReportFormat.html : .markdown).text(report) ?? ""))
            },
            // write(report, path): .html, .xlsx or .md
            "write": f("write") { [self] call in
                let report = try ReportModule.report(call.value(1))
                let path = try call.string(2)
                if let why = self.writes.refusal(for: path) { throw LuaRuntimeError(why) }
                guard let format = ReportFormat(path: path) else {
                    throw LuaRuntimeError("write: cannot tell the format of \(path); name a .html, .xlsx or .md file")
                }
                do { try format.write(report, to: path) } catch let e as ExchangeError { throw LuaRuntimeError(e.message) }
                return 0
            },
        ]
        try lua.runEmbedded(PackageResources.report_lua, chunkName: "=(linkage report)", arguments: [.value(.dictionary(primitives))])
    }

    // MARK: Lua tables to a document

    static func report(_ v: LuaValue) throws -> Report {
        guard let title = v["title"].stringValue else { throw LuaRuntimeError("a report needs a title (report.new{ title = … })") }
        return Report(title: title, subtitle: v["subtitle"].stringValue,
                      sections: try list(v["sections"]).enumerated().map { try section($1, $0 + 1) },
                      notes: list(v["notes"]).compactMap(\.stringValue))
    }

    static func list(_ v: LuaValue) -> [LuaValue] {
        switch v {
        case .array(let a): return a
        case .table(let t): return (1...max(1, t.count)).compactMap { t[.integer(Int64($0))] }
        default: return []
        }
    }

    static func section(_ v: LuaValue, _ n: Int) throws -> ReportSection {
        let blocks = try list(v["blocks"]).map { b -> ReportBlock in
            switch b["kind"].stringValue {
            case "text": return .text(b["text"].stringValue ?? "")
            case "figures":
                return .figures(try list(b["items"]).map { i in
                    KeyFigure(i["label"].stringValue ?? "", value(i["value"]), format: try format(i["format"]), note: i["note"].stringValue,
                              tone: KeyFigure.Tone(rawValue: i["tone"].stringValue ?? "neutral") ?? .neutral)
                })
            case "table":
                let columns = try list(b["columns"]).map { ReportColumn($0["name"].stringValue ?? "", format: try format($0["format"])) }
                func row(_ r: LuaValue) -> [SQLValue] { (1...max(1, columns.count)).prefix(columns.count).map { value(r[$0]) } }
                let omitted: Int = { if case .integer(let i) = b["omitted"] { return Int(i) }; return 0 }()
                return .table(ReportTable(title: b["title"].stringValue, columns: columns, rows: list(b["rows"]).map(row),
                                          totals: b["totals"].isNil ? nil : row(b["totals"]), omitted: omitted))
            case "chart":
                let kinds: [String: ReportChart.Kind] = ["bar": .bar, "stacked_bar": .stackedBar, "stackedBar": .stackedBar, "line": .line]
                guard let kind = kinds[b["chart"].stringValue ?? "bar"] else { throw LuaRuntimeError("section \(n): a chart's kind is bar, stacked_bar or line") }
                return .chart(ReportChart(kind, title: b["title"].stringValue ?? "", categories: list(b["categories"]).map { $0.stringValue ?? "" },
                                          series: list(b["series"]).map { s in .init(s["name"].stringValue ?? "", list(s["values"]).map { value($0).number ?? .nan }) },
                                          format: try format(b["format"])))
            default:
                throw LuaRuntimeError("section \(n) has a block of unknown kind '\(b["kind"].stringValue ?? "nil")'; the kinds are text, figures, table and chart")
            }
        }
        return ReportSection(title: v["title"].stringValue ?? "Section \(n)", sheetName: v["sheet"].stringValue, blocks: blocks)
    }

    static func value(_ v: LuaValue) -> SQLValue {
        switch v {
        case .integer(let i): return .integer(i)
        case .number(let d): return .real(d)
        case .boolean(let b): return .integer(b ? 1 : 0)
        case .string(let s): return .text(s)
        case .bytes(let b): return .text(String(decoding: b, as: UTF8.self))
        default: return .null
        }
    }

    /// 'auto', 'text', 'integer', 'decimal' or 'decimal:N', 'percent' or 'percent:N'.
    static func format(_ v: LuaValue) throws -> ValueFormat {
        guard let spec = v.stringValue else {
            if v.isNil { return .automatic }
            throw LuaRuntimeError("a format is a string: auto, text, integer, decimal:N or percent:N")
        }
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let places = parts.count > 1 ? Int(parts[1]) : nil
        if parts.count > 1 && (places == nil || !(0...6).contains(places!)) {
            throw LuaRuntimeError("format '\(spec)': the places after ':' are a number from 0 to 6")
        }
        switch parts.first ?? "" {
        case "auto", "automatic": return .automatic
        case "text": return .text
        case "integer": return .integer
        case "decimal": return .decimal(places: places ?? 2)
        case "percent": return .percent(places: places ?? 1)
        default: throw LuaRuntimeError("unknown format '\(spec)'; the formats are auto, text, integer, decimal:N and percent:N")
        }
    }

    // MARK: a document to Lua tables

    static func lua(_ f: ValueFormat) -> LuaValue {
        switch f {
        case .automatic: return .nil
        case .text: return .string("text")
        case .integer: return .string("integer")
        case .decimal(let p): return .string("decimal:\(p)")
        case .percent(let p): return .string("percent:\(p)")
        }
    }

    static func lua(_ r: Report) -> LuaValue {
        func block(_ b: ReportBlock) -> LuaValue {
            switch b {
            case .text(let s): return .dictionary(["kind": .string("text"), "text": .string(s)])
            case .figures(let items):
                return .dictionary(["kind": .string("figures"), "items": .array(items.map { i in
                    .dictionary(["label": .string(i.label), "value": QueryObject.luaValue(i.value), "format": lua(i.format),
                                 "note": i.note.map { .string($0) } ?? .nil, "tone": .string(i.tone.rawValue)])
                })])
            case .table(let t):
                return .dictionary(["kind": .string("table"), "title": t.title.map { .string($0) } ?? .nil,
                                    "columns": .array(t.columns.map { .dictionary(["name": .string($0.name), "format": lua($0.format)]) }),
                                    "rows": .array(t.rows.map { .array($0.map(QueryObject.luaValue)) }),
                                    "totals": t.totals.map { .array($0.map(QueryObject.luaValue)) } ?? .nil, "omitted": .integer(Int64(t.omitted))])
            case .chart(let c):
                let kinds: [ReportChart.Kind: String] = [.bar: "bar", .stackedBar: "stacked_bar", .line: "line"]
                return .dictionary(["kind": .string("chart"), "chart": .string(kinds[c.kind]!), "title": .string(c.title),
                                    "categories": .array(c.categories.map { .string($0) }),
                                    "series": .array(c.series.map { .dictionary(["name": .string($0.name), "values": .array($0.values.map { .number($0) })]) }),
                                    "format": lua(c.format)])
            }
        }
        return .dictionary([
            "title": .string(r.title), "subtitle": r.subtitle.map { .string($0) } ?? .nil,
            "sections": .array(r.sections.map { s in
                .dictionary(["title": .string(s.title), "sheet": s.sheetName.map { .string($0) } ?? .nil, "blocks": .array(s.blocks.map(block))])
            }),
            "notes": .array(r.notes.map { .string($0) }),
        ])
    }

    /// A built-in report with resident IDs and phones masked in its tables (the run does not show PII).
    static func masked(_ r: Report) -> Report {
        var r = r
        for s in r.sections.indices {
            r.sections[s].blocks = r.sections[s].blocks.map { b in
                guard case .table(var t) = b else { return b }
                let m = ExportTable(columns: t.columns.map(\.name), rows: t.rows).masked()
                t.rows = m.rows
                return .table(t)
            }
        }
        return r
    }
}
