/// The reference of the Lua API: one entry per function, each with a runnable example. `help()`
/// prints from it and docs/lua-api.md is generated from it (`linkage help --markdown`), so the two
/// cannot drift; a test runs every example.
public struct HelpEntry: Sendable {
    public let key: String
    public let usage: String
    public let summary: String
    public let example: String
}

public enum HelpCatalog {
    public static let overview = """
        Linkage: Lua 5.4 over the linkage register.

          db            raw SQL: db.query, db.rows, db.exec, db.value, db.transaction
          export        export.csv, export.json, export.markdown, export.xlsx;  import.check
          collections   areas villages communities households units cadres links visits
                        activities problems surveys — queries that run as one SQL statement
          records       rows of a collection: fields, relations (h.village.area.name), methods
          linkage       linkage.as_of(date): the date domain filters ask about (default today)
          assign        assign.households, assign.villages, assign.all: proposals of links
                        (within quotas) to print, edit and apply with proposal:apply()

        help(households)          the methods of a collection
        help(households.where)    one method;   help("record")   what records can do
        help("db.exec")           one function by name
        """

    public static let entries: [HelpEntry] = [
        // db
        HelpEntry(key: "db.query", usage: "db.query(sql, ...) --> { row, ... }",
                  summary: "Runs a SELECT and returns every row as a table keyed by column name. Values are bound: positional (?) as extra arguments or one list, named (:name) as one table.",
                  example: "local rows = db.query('SELECT name FROM area WHERE kind = ? ORDER BY code', 'township')\nassert(rows[1].name == '玉泉镇')"),
        HelpEntry(key: "db.rows", usage: "for row in db.rows(sql, ...) do ... end",
                  summary: "Streams the rows of a SELECT in constant memory; breaking out of the loop closes the statement.",
                  example: "local n = 0\nfor r in db.rows('SELECT id FROM household WHERE kind = :kind', { kind = 'urban' }) do n = n + 1 end\nassert(n == 3)"),
        HelpEntry(key: "db.exec", usage: "db.exec(sql, ...) --> changed rows",
                  summary: "Runs a statement that changes the register and returns how many rows it changed. Without bound values it may run several statements.",
                  example: "local n = db.exec('UPDATE household SET address = ? WHERE village_id = ?', '一组', 1)\nassert(n == 4)"),
        HelpEntry(key: "db.value", usage: "db.value(sql, ...) --> value or nil",
                  summary: "The first column of the first row.",
                  example: "assert(db.value('SELECT count(*) FROM household') == 15)"),
        HelpEntry(key: "db.transaction", usage: "db.transaction(fn, ...) --> fn's results",
                  summary: "Runs fn as a unit: if it raises, its changes are rolled back and the error re-raised. Nests (as savepoints) inside the run's own transaction.",
                  example: "local ok = pcall(db.transaction, function()\n  db.exec(\"UPDATE area SET name = 'x' WHERE id = 1\")\n  error('changed my mind')\nend)\nassert(not ok and areas:get(1).name == '太京镇')"),
        // collections
        HelpEntry(key: "collection", usage: "households, cadres, villages, ...",
                  summary: "A collection is a query of one kind of record. Chaining (where, order_by, limit …) returns a new query; nothing runs until a method such as count, list or a for loop asks for rows, and then it runs as one SQL statement.",
                  example: "local rural = households:where{ kind = 'rural' }\nassert(#rural == 12 and households:count() == 15)"),
        HelpEntry(key: "where", usage: "q:where{ field = value, ... }   q:where(\"sql ?\", ...)",
                  summary: "Filters rows. A value compares for equality; { lt, le, gt, ge, ne, like, ['in'], not_in } compare otherwise (ne and not_in keep rows where the field is NULL, as SQL's IS NOT); { null = true } is IS NULL, { null = false } IS NOT NULL; a list means in. Fields may go through relations ('village.area.name') or aliases (township). A record compares by id, a string with a relation by name or code; a place name that is not in the register is an error that names the nearest ones. Also: linked (households), covered (villages), eligible (cadres), active (links), year (anything dated).",
                  example: "assert(households:where{ township = '太京镇', income = { gt = 2000 } }:count() == 4)\nassert(households:where('income < ? AND members > ?', 1800, 2):count() == 3)\nassert(households:where{ phone = { ne = '13800000000' } }:count() == households:count())\nassert(households:where{ phone = { null = true } }:count() + households:where{ phone = { null = false } }:count() == households:count())"),
        HelpEntry(key: "order_by", usage: "q:order_by('field', '-other', 'third desc')",
                  summary: "Orders rows; a leading '-' or a trailing 'desc' sorts descending.",
                  example: "assert(households:order_by('-income', 'id'):first().head_name == '居民13')"),
        HelpEntry(key: "select", usage: "q:select('field', 'village.name', ...)",
                  summary: "Rows carry only these fields (and id): a loop that reads two fields of a million households reads only those. Paths through relations are allowed and named by their path.",
                  example: "local h = households:select('head_name', 'village.name'):get(1)\nassert(h.head_name == '户主1' and h['village.name'] == '窝驼村' and h.income == nil)"),
        HelpEntry(key: "limit", usage: "q:limit(n)", summary: "At most n rows.",
                  example: "assert(#households:limit(5):list() == 5)"),
        HelpEntry(key: "offset", usage: "q:offset(n)", summary: "Skips the first n rows.",
                  example: "assert(households:order_by('id'):offset(2):first().id == 3)"),
        HelpEntry(key: "count", usage: "q:count() --> n   (also #q)", summary: "How many rows.",
                  example: "assert(villages:count() == 3 and #communities == 1)"),
        HelpEntry(key: "exists", usage: "q:exists() --> boolean", summary: "Whether there is any row.",
                  example: "assert(households:where{ kind = 'urban' }:exists())"),
        HelpEntry(key: "first", usage: "q:first() --> record or nil", summary: "The first row, in the query's order.",
                  example: "assert(areas:order_by('code'):first().name == '大城街道')"),
        HelpEntry(key: "list", usage: "q:list() --> { record, ... }", summary: "Every row, as a list of records.",
                  example: "local l = communities:list()\nassert(#l == 1 and l[1].name == '环城社区')"),
        HelpEntry(key: "get", usage: "collection:get(id) --> record or nil", summary: "The record with this id.",
                  example: "assert(households:get(1).head_name == '户主1')"),
        HelpEntry(key: "find", usage: "collection:find{ field = value } --> record or nil", summary: "The first record matching.",
                  example: "assert(cadres:find{ name = '李明' }.role == 'township_principal')"),
        HelpEntry(key: "pluck", usage: "q:pluck('field') --> { value, ... }", summary: "The values of one field.",
                  example: "assert(table.concat(areas:order_by('code'):pluck('name'), ',') == '大城街道,玉泉镇,太京镇')"),
        HelpEntry(key: "sum", usage: "q:sum('field')   q:avg   q:min   q:max", summary: "Aggregates of a field, computed by SQLite.",
                  example: "assert(households:where{ kind = 'urban' }:sum('income') == 12000)\nassert(households:max('members') == 5)"),
        HelpEntry(key: "group_count", usage: "q:group_count('field') --> { { field = v, count = n }, ... }",
                  summary: "Rows per value of a field (through relations too), largest first.",
                  example: "local g = households:group_count('township')\nassert(g[1].township == '太京镇' and g[1].count == 8)"),
        HelpEntry(key: "sql", usage: "q:sql() --> text, values", summary: "The SQL the query runs, with its bound values.",
                  example: "local text, values = households:where{ kind = 'urban' }:sql()\nassert(text:find('WHERE household.kind = ?', 1, true) and values[1] == 'urban')"),
        HelpEntry(key: "update", usage: "q:update{ field = value, ... } --> changed rows",
                  summary: "Changes every row of the query in one statement; values are checked first (type, enumeration).",
                  example: "assert(households:where{ township = '太京镇' }:update{ housing_secured = true } == 8)"),
        HelpEntry(key: "delete", usage: "q:delete() --> deleted rows",
                  summary: "Deletes every row of the query in one statement. Households, cadres, units and villages with links are never deleted (history); links are only ended.",
                  example: "assert(surveys:where{ year = 2011 }:delete() == 0)"),
        HelpEntry(key: "add", usage: "collection:add{ field = value, ... } --> record",
                  summary: "Adds a record after checking every field: required fields, types, enumerations, references, the resident ID's check character. Relations may be given by name (village = v).",
                  example: "local h = households:add{ village = villages:get(1), kind = 'rural', head_name = '新户',\n  resident_id = '34052419800101001X', main_cause = '因病', members = 3 }\nassert(h.village.name == '窝驼村')"),
        HelpEntry(key: "each", usage: "for r in q:each() do ... end   (or: for r in q do ... end)",
                  summary: "Streams the records of a query in constant memory.",
                  example: "local n = 0\nfor h in households:where{ kind = 'urban' } do n = n + h.members end\nassert(n == 6)"),
        HelpEntry(key: "linked", usage: "households:linked(date)   households:unlinked(date)",
                  summary: "Households with (without) an active link to a cadre on the date (default linkage.as_of()).",
                  example: "cadres:get(1):link(households:get(1), '2012-03-01')\nassert(households:linked('2012-06-30'):count() == 1 and households:unlinked():count() == 14)"),
        HelpEntry(key: "uncovered", usage: "villages:uncovered(date)   communities:uncovered(date)",
                  summary: "Villages or communities with no active link from a unit or cadre on the date (全面覆盖).",
                  example: "units:get(2):link(villages:get(1), '2012-03-01')\nassert(villages:uncovered():count() == 2)"),
        HelpEntry(key: "eligible", usage: "cadres:eligible(date)",
                  summary: "Cadres who may link households: not excluded staff (teachers, medical, enterprise, logistics), still serving.",
                  example: "assert(cadres:eligible():count() == 4)"),
        HelpEntry(key: "active", usage: "links:active(date)", summary: "Links active on the date: started on or before it and not ended by it.",
                  example: "cadres:get(1):link(households:get(1), '2012-03-01')\nassert(links:active('2012-02-01'):count() == 0 and links:active('2012-03-01'):count() == 1)"),
        // records
        HelpEntry(key: "record", usage: "h.head_name   h.village.area.name   h:update{ … }   h:cadres()",
                  summary: "A record is a Lua table of its row's fields. Relations read as fields (h.village, c.unit, l.successor) and are read once per id. Methods: update{…}; households: cadres(date), history(), links, visits{…}, activities, problems, surveys; villages: cadres, units, history(), households …; cadres: households(date), villages(date), spare_quota(date), link(target, {since}), handover(successor, {date, reason, left}); units: cadres, villages(date), spare_quota(date), link(village, {since}); links: close{date, reason}. An unknown field is an error that lists the valid ones.",
                  example: "local h = households:get(1)\nassert(h.village.area.name == '太京镇' and tostring(h) == 'household 1 户主1')"),
        HelpEntry(key: "record:update", usage: "record:update{ field = value, ... } --> record",
                  summary: "Changes fields of one record after checking them, and refreshes the record.",
                  example: "local h = households:get(1):update{ income = 3100 }\nassert(h.income == 3100)"),
        HelpEntry(key: "record:link", usage: "cadre:link(target, { since = date, allow_over_quota = false })   unit:link(village, { since = date })",
                  summary: "Starts a link (a cadre to a household, village or community; a unit to a village or community). Excluded and departed staff never link; a target is linked once by the same linker. A link past the linker's quota in force on the date (quota_rule by role; unit_quota_rule for units with a fixed number) or past household_cadres_max for the household is refused, naming the quota and the rule; allow_over_quota = true makes it anyway, warns on stderr, and `linkage check` lists it.",
                  example: "local l = cadres:get(2):link(households:get(3), { since = '2012-03-01' })\nassert(l.start_date == '2012-03-01' and l.household.head_name == '户主3')\nlocal ok, err = pcall(cadres:get(2).link, cadres:get(2), households:get(4), '2012-03-01')\nassert(not ok and err:find('over the quota of 1', 1, true))"),
        HelpEntry(key: "record:close", usage: "link:close{ date = date, reason = '调离' | '疾病' | '退休' | '脱贫' | '其他' }",
                  summary: "Ends a link; links are never deleted. A link ends once.",
                  example: "local l = cadres:get(2):link(households:get(3), '2012-03-01'):close{ date = '2012-09-01', reason = '退休' }\nassert(l.end_reason == '退休')"),
        HelpEntry(key: "record:handover", usage: "cadre:handover(successor or nil, { date = date, reason = '调离', left = true, allow_over_quota = false }) --> links moved, successor",
                  summary: "Ends every active link of the cadre on the date, recording the successor, and starts the same links for the successor (接替), in one step. Without a successor, the least-loaded eligible colleague of the same unit takes over (one whose spare quota takes every link first, then fewest links, then lowest id). The successor's quota is checked as for link (allow_over_quota to pass it); an excluded or departed successor, or one whose own links came to the cadre through a chain of successors (a cycle), is refused. left = true (or left_on = date) marks the cadre departed (left_on), so it no longer counts as under quota.",
                  example: "local a = cadres:get(1)\na:link(households:get(1), '2012-03-01')\nlocal moved, to = a:handover(nil, { date = '2012-09-01', reason = '调离', left = true })\nassert(moved == 1 and to.name == '王芳' and a.left_on == '2012-09-01')\nassert(households:get(1):cadres('2012-10-01'):first().name == '王芳')\nassert(households:get(1):cadres('2012-08-01'):first().name == '李明')"),
        HelpEntry(key: "record:spare_quota", usage: "cadre:spare_quota(date) --> { villages, rural_households, communities, urban_households }   unit:spare_quota(date) --> { villages }",
                  summary: "The places left of the quota in force on the date (default linkage.as_of()): the role's numbers (quota_rule) less the links held that day; none for excluded or departed cadres. A unit's poor villages by unit_quota_rule; math.huge for a unit with no fixed number. The quotas check and assign.* count the same way.",
                  example: "local q = cadres:get(1):spare_quota('2012-03-01')\nassert(q.villages == 1 and q.rural_households == 2 and q.urban_households == 0)\ncadres:get(1):link(households:get(1), '2012-03-01')\nassert(cadres:get(1):spare_quota('2012-03-01').rural_households == 1)\nassert(units:get(2):spare_quota('2012-03-01').villages == 1 and units:get(1):spare_quota().villages == math.huge)"),
        HelpEntry(key: "record:history", usage: "household:history()   village:history() --> rows { from, to, linker, unit, reason, successor, note, … }",
                  summary: "Who held the household (or village, community), from when to when, and why it changed: every link to it, ended or not, in the order they began. record:cadres(date) answers who held it on one day.",
                  example: "local a = cadres:get(1)\na:link(households:get(1), '2012-03-01')\na:handover(cadres:get(2), { date = '2012-09-01', reason = '调离' })\nlocal h = households:get(1):history()\nassert(#h == 2 and h[1].linker == '李明' and h[1].to == '2012-09-01' and h[1].reason == '调离' and h[1].successor == '王芳')\nassert(h[2].linker == '王芳' and h[2].to == nil)"),
        HelpEntry(key: "record:cadres", usage: "household:cadres(date) --> query of cadres",
                  summary: "The cadres linked to a household (or village) on a date: who was linked to whom, when.",
                  example: "cadres:get(1):link(households:get(5), '2012-03-01')\nassert(households:get(5):cadres():first().name == '李明')"),
        HelpEntry(key: "record:households", usage: "cadre:households(date) --> query of households",
                  summary: "The households a cadre held on a date.",
                  example: "cadres:get(1):link(households:get(5), '2012-03-01')\nassert(#cadres:get(1):households('2012-04-01') == 1)"),
        HelpEntry(key: "record:visits", usage: "record:visits{ year = 2012 } --> query of visits",
                  summary: "Visits to (or by) the record, optionally filtered; links, activities, problems and surveys work the same way.",
                  example: "assert(households:get(1):visits{ year = 2012 }:count() == 0)"),
        // export and import
        // assign
        HelpEntry(key: "assign.households", usage: "assign.households{ as_of = date, households = q, cadres = q, fill = true } --> proposal",
                  summary: "Proposes links that cover every uncovered household (全面覆盖) with eligible cadres that have spare quota on as_of (default linkage.as_of()): a cadre's own township or subdistrict first (district units are placed where linkers are short), then the county, then anywhere, least loaded first; then, with fill, second cadres (up to household_cadres_max) until quotas are met. households and cadres (queries or lists of records) limit the targets and the linkers. Deterministic: the same register gives the same proposal. Nothing is written until proposal:apply().",
                  example: "local p = assign.households{ as_of = '2012-03-01' }\nassert(#p == 6 and p[1].reason:find('least loaded', 1, true))\nassert(p.uncovered[1].what == 'rural households' and p.uncovered[1].count == 7)\nassert(p:apply() == 6 and households:linked('2012-03-01'):count() == 6)"),
        HelpEntry(key: "assign.villages", usage: "assign.villages{ as_of = date, villages = q, units = q, cadres = q, open_units = true, fill = true } --> proposal",
                  summary: "Proposes links that cover every uncovered poor village and community with units that have a fixed number (unit_quota_rule) and leaders with village or community quota, as assign.households does; then units with no fixed number (open_units) take what quotas cannot, and fill links the quota places left to the least-linked villages.",
                  example: "local p = assign.villages{ as_of = '2012-03-01' }\nassert(#p == 3 and p.uncovered[1].what == 'communities' and p.uncovered[1].count == 1)"),
        HelpEntry(key: "assign.all", usage: "assign.all{ as_of = date, … } --> proposal",
                  summary: "assign.villages, then assign.households, in one proposal (the households see the villages proposed for their units). On a register whose linkers suffice, applying it leaves `linkage check --only coverage,quotas` with nothing to report.",
                  example: "local p = assign.all{ as_of = '2012-03-01' }\nassert(#p == 9 and p:summary():find('9 links proposed for 2012-03-01', 1, true))"),
        HelpEntry(key: "assign.proposal", usage: "proposal:apply{ allow_over_quota = false } --> links made   proposal:filter(fn)   proposal:summary()   proposal.uncovered   proposal.unfilled",
                  summary: "A proposal is a list of entries { linker, target, kind, area, reason } (it prints as a table); remove, add or change entries like any list's, or keep some with filter. apply makes every link from proposal.as_of through the checks of record:link, in one step: all or nothing. uncovered lists the targets left without a linker and why; unfilled the quota places left.",
                  example: "local p = assign.households{ as_of = '2012-03-01' }\nlocal mine = p:filter(function(e) return e.linker.name == '李明' end)\nassert(#mine == 2 and mine[1].reason:find('same township', 1, true))\ntable.insert(mine, { linker = cadres:get(5), target = households:get(12) })\nassert(mine:apply() == 3 and households:get(12):cadres('2012-03-01'):first().name == '陈静')"),
        HelpEntry(key: "export.csv", usage: "export.csv(rows, path [, { bom = true, columns = { … } }]) --> rows written",
                  summary: "Writes rows (a query, or a list of records or db.query rows) as CSV in UTF-8; bom = true for Excel. Resident IDs and phones are masked unless the run shows PII. See docs/import-export.md.",
                  example: "local path = os.tmpname()\nassert(export.csv(households:where{ kind = 'urban' }, path) == 3)\nos.remove(path)"),
        HelpEntry(key: "export.json", usage: "export.json(rows [, path]) --> text, or rows written",
                  summary: "Rows as a JSON array of objects; returns the text when no path is given.",
                  example: "local text = export.json(areas:order_by('code'):select('name'))\nassert(text:find('大城街道', 1, true))"),
        HelpEntry(key: "export.markdown", usage: "export.markdown(rows [, path]) --> text, or rows written",
                  summary: "Rows as a Markdown table, for reports.",
                  example: "assert(export.markdown(areas:select('name')):find('| name', 1, true))"),
        HelpEntry(key: "export.xlsx", usage: "export.xlsx(rows, path [, { sheet = '名单' }]) --> rows written",
                  summary: "Rows as an Excel workbook with a header row, a frozen first row and column widths fitted to the text.",
                  example: "local path = os.tmpname() .. '.xlsx'\nassert(export.xlsx(households, path) == 15)\nos.remove(path)"),
        HelpEntry(key: "import.check", usage: "import.check(kind, row) --> { { field = …, message = … }, … }",
                  summary: "Checks one row as 'linkage import KIND' would (headers in English or Chinese, written [\"户主姓名\"] = … in Lua); an empty list means the row is good.",
                  example: "local problems = import.check('households', { head_name = '王五', resident_id = '340524198001010011' })\nassert(#problems > 0)"),
        HelpEntry(key: "linkage.now", usage: "linkage.now() --> seconds",
                  summary: "A monotonic clock in seconds, for timing a step.",
                  example: "local t = linkage.now()\nhouseholds:count()\nassert(linkage.now() >= t)"),
        HelpEntry(key: "linkage.pad", usage: "linkage.pad(text, width [, right]) --> text   linkage.width(text) --> columns",
                  summary: "Pads text to a width on the terminal, counting Chinese characters as two columns, so tables of names line up; right = true pads on the left.",
                  example: "assert(linkage.width('太京镇') == 6 and linkage.pad('太京镇', 8) == '太京镇  ')\nassert(linkage.pad(42, 4, true) == '  42')"),
        HelpEntry(key: "linkage.as_of", usage: "linkage.as_of(date) --> date",
                  summary: "Sets (or, without an argument, tells) the date that linked, uncovered, eligible, active and record:cadres() ask about when none is given.",
                  example: "linkage.as_of('2012-12-31')\nassert(linkage.as_of() == '2012-12-31')"),
    ]

    public static func entry(_ key: String) -> HelpEntry? { entries.first { $0.key == key } }

    /// docs/lua-api.md.
    public static var markdown: String {
        var lines = ["# The Lua API", "", "Generated from the help of the `linkage` binary (`linkage help --markdown`); `help(...)` prints",
                     "the same text in a session. Every example runs against a small register in the tests", "(Tests/LinkageScriptingTests/Fixtures/small-register.lua).", "",
                     "## In an editor", "",
                     "`linkage stubs -o linkage.d.lua` writes annotations for lua-language-server (the Lua extension",
                     "of VS Code, Neovim's lua_ls …): a class per record with its columns typed from the register's",
                     "schema, its relations and methods, and the methods of every collection and of db, export, import",
                     "and linkage, with their parameters. Put a `.luarc.json` beside your scripts:", "",
                     "```json", "{ \"workspace.library\": [\"linkage.d.lua\"] }", "```", "",
                     "and saved scripts get completion (`households:where{ town` offers `township`) and checks",
                     "(a misspelt method or field is flagged). Regenerate the file after the schema changes.", "",
                     "```", overview, "```", ""]
        for e in entries {
            lines += ["## `\(e.key)`", "", "`\(e.usage)`", "", e.summary, "", "```lua", e.example, "```", ""]
        }
        return lines.joined(separator: "\n")
    }

    /// The text `help(key)` prints. Besides catalog keys, Lua/query.lua asks with lines it fills
    /// from the live register (see `collectionText` and `recordText`): the schema is not in reach here.
    public static func text(_ key: String?) -> String {
        guard let key else { return overview }
        if key.hasPrefix("\n") { return internalText(key.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init)) }
        if key == "collection" || Catalogued.collections.contains(key) {
            return collectionText(Catalog.collection(key), columns: nil, virtual: [])
        }
        guard let e = resolve(key) else { return "no help for '\(key)'; try help()" }
        return "\(e.usage)\n\n\(e.summary)\n\nExample:\n\(e.example.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))"
    }

    /// The entry of a key, or of a function the catalog documents under another key
    /// (`unlinked` under `linked`, `avg` under `sum`, `record:links` under `record:visits`).
    public static func resolve(_ key: String) -> HelpEntry? {
        if let e = entry(key) { return e }
        var scope = "", name = key
        if key.hasPrefix("record:") { scope = "record:"; name = String(key.dropFirst(scope.count)) }
        else if let dot = key.firstIndex(of: ".") { scope = String(key[...dot]); name = String(key[key.index(after: dot)...]) }
        for e in entries where scope.isEmpty ? !e.key.contains(".") && !e.key.contains(":") : e.key.hasPrefix(scope) {
            if signatures[e.key]?.contains(where: { $0.name == name }) == true { return e }
        }
        return nil
    }

    /// "\ncollection\nNAME\nCOLUMNS\nVIRTUAL" or "\nrecord\nTABLE\nCOLUMNS\nMETHODS" (space-separated
    /// lists from the register); "\nvirtual": the virtual field names query.lua probes for;
    /// "\ntable\nNAME": the table of a collection.
    private static func internalText(_ lines: [String]) -> String {
        func words(_ i: Int) -> [String] { i < lines.count ? lines[i].split(separator: " ").map(String.init) : [] }
        switch lines.first {
        case "virtual": return virtualFields.map(\.name).joined(separator: " ")
        case "table": return Catalog.collection(lines.count > 1 ? lines[1] : "")?.table ?? ""
        case "collection": return collectionText(Catalog.collection(lines.count > 1 ? lines[1] : ""), columns: words(2), virtual: words(3))
        case "record": return recordText(table: lines.count > 1 ? lines[1] : "", columns: words(2), methods: words(3))
        default: return "no help for that; try help()"
        }
    }

    /// Filters that read like fields (VirtualField), documented here for help and the stubs.
    public static let virtualFields: [(name: String, summary: String)] = [
        ("linked", "households with (true) or without (false) an active link to a cadre on linkage.as_of()"),
        ("covered", "villages or communities with (true) or without (false) an active link from a unit or cadre"),
        ("eligible", "cadres who may (true) or may not (false) link households"),
        ("active", "links active (true) or not (false) on linkage.as_of()"),
        ("year", "rows whose date falls in that year, such as year = 2012"),
    ]

    /// The methods of a collection (all of them without one), with its fields when the register
    /// gave them.
    static func collectionText(_ entity: Entity?, columns: [String]?, virtual: [String]) -> String {
        var lines = [entry("collection")!.summary, ""]
        if let entity {
            lines[0] = "\(entity.name): records of table \(entity.table)\(entity.scope.map { " whose \($0.column) is '\($0.value)'" } ?? ""). " + lines[0]
            lines.append("Fields (for where, order_by, select, and on each record):")
            if let columns { lines.append(contentsOf: wrap(columns, indent: "  ")) }
            if !entity.relations.isEmpty {
                lines.append("  relations: " + entity.relations.values.sorted { $0.name < $1.name }.map { "\($0.name) (\($0.column) → \($0.table))" }.joined(separator: ", "))
            }
            if !entity.aliases.isEmpty {
                lines.append("  aliases:   " + entity.aliases.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", "))
            }
            for v in virtualFields where virtual.contains(v.name) { lines.append("  \(v.name): \(v.summary)") }
            lines += ["", "Methods:"]
        }
        let methods = entries.filter { e in
            guard !e.key.contains("."), !e.key.contains(":"), e.key != "collection", e.key != "record" else { return false }
            guard let entity, let only = signatures[e.key]?.first?.tables else { return true }
            return only.contains(entity.table)
        }
        return (lines + methods.map { "  \($0.usage)" }).joined(separator: "\n")
    }

    /// A record's fields and methods; `methods` are the ones its metatable has, so a method the
    /// catalog does not document shows as such (a test keeps that from happening).
    static func recordText(table: String, columns: [String], methods: [String]) -> String {
        var lines = ["\(table) record. " + entry("record")!.summary, "", "Fields:"]
        lines += wrap(columns, indent: "  ")
        let relations = Catalog.table(table).relations.values.sorted { $0.name < $1.name }
        if !relations.isEmpty { lines.append("  relations: " + relations.map { "\($0.name) (→ \($0.table))" }.joined(separator: ", ")) }
        lines += ["", "Methods:"]
        for m in methods.sorted() {
            let e = resolve("record:" + m)
            let sig = e.flatMap { signatures[$0.key]?.first { $0.name == m } }
            let call = sig.map { "\(m)(\($0.params.map { $0.split(separator: ":")[0] }.joined(separator: ", ")))" } ?? "\(m)()"
            lines.append("  " + call.padding(toLength: max(34, call.count), withPad: " ", startingAt: 0) + (e.map { " " + firstSentence($0.summary) } ?? " (undocumented)"))
        }
        return lines.joined(separator: "\n")
    }

    private static func firstSentence(_ s: String) -> String {
        s.range(of: ". ").map { String(s[..<$0.lowerBound]) + "." } ?? s
    }

    private static func wrap(_ words: [String], indent: String, width: Int = 96) -> [String] {
        var lines: [String] = [], line = indent
        for w in words {
            if line.count + w.count + 2 > width, line != indent { lines.append(line); line = indent }
            line += (line == indent ? "" : "  ") + w
        }
        if line != indent { lines.append(line) }
        return lines
    }
}

import Foundation
import LinkageModel

/// The Lua signature of a catalogued function, for the editor stubs (`linkage stubs`) and for
/// finding the help of a function documented under another name. Types are lua-language-server's;
/// in collection methods `@Q` is the collection's query class, `@R` its record class and `@F` its
/// filter class; in record methods `@R` is the record's class.
public struct Signature: Sendable {
    public let name: String
    /// "name: type", "name?: type" or "...: type".
    public let params: [String]
    public let returns: [String]
    /// The tables whose collections (or records) have it; nil: every one.
    public let tables: [String]?

    init(_ name: String, _ params: [String] = [], _ returns: [String] = [], on tables: [String]? = nil) {
        self.name = name
        self.params = params
        self.returns = returns
        self.tables = tables
    }
}

extension HelpCatalog {
    private static let date = "date?: string|{ as_of: string }"
    private static let filter = "filter?: table"

    /// The signatures of every function entry, by catalog key; a test checks that each function key
    /// has them and that they match what a record's metatable offers.
    public static let signatures: [String: [Signature]] = [
        "db.query": [Signature("query", ["sql: string", "...: any"], ["table[]"])],
        "db.rows": [Signature("rows", ["sql: string", "...: any"], ["fun(): table?"])],
        "db.exec": [Signature("exec", ["sql: string", "...: any"], ["integer"])],
        "db.value": [Signature("value", ["sql: string", "...: any"], ["any"])],
        "db.transaction": [Signature("transaction", ["fn: function", "...: any"], ["any"])],
        "where": [Signature("where", ["filter: @F|string", "...: any"], ["@Q"])],
        "order_by": [Signature("order_by", ["...: string"], ["@Q"])],
        "select": [Signature("select", ["...: string"], ["@Q"])],
        "limit": [Signature("limit", ["n: integer"], ["@Q"])],
        "offset": [Signature("offset", ["n: integer"], ["@Q"])],
        "count": [Signature("count", [], ["integer"])],
        "exists": [Signature("exists", [], ["boolean"])],
        "first": [Signature("first", [], ["@R?"])],
        "list": [Signature("list", [], ["@R[]"])],
        "get": [Signature("get", ["id: integer"], ["@R?"])],
        "find": [Signature("find", ["filter: @F"], ["@R?"])],
        "pluck": [Signature("pluck", ["field: string"], ["any[]"])],
        "sum": ["sum", "avg", "min", "max"].map { Signature($0, ["field: string"], ["number?"]) },
        "group_count": [Signature("group_count", ["field: string"], ["table[]"])],
        "sql": [Signature("sql", [], ["string", "any[]"])],
        "update": [Signature("update", ["fields: @F"], ["integer"])],
        "delete": [Signature("delete", [], ["integer"])],
        "add": [Signature("add", ["fields: @F"], ["@R"])],
        "each": [Signature("each", [], ["fun(): @R?"])],
        "linked": ["linked", "unlinked"].map { Signature($0, [date], ["@Q"], on: ["household"]) },
        "uncovered": [Signature("uncovered", [date], ["@Q"], on: ["village"])],
        "eligible": [Signature("eligible", [date], ["@Q"], on: ["cadre"])],
        "active": [Signature("active", [date], ["@Q"], on: ["link"])],
        "record:update": [Signature("update", ["fields: table"], ["@R"])],
        "record:link": [Signature("link", ["target: household|village", "since?: string|{ since: string, allow_over_quota: boolean? }"], ["link"], on: ["cadre", "unit"])],
        "record:close": [Signature("close", ["opts?: { date: string?, reason: string? }"], ["link"], on: ["link"])],
        "record:handover": [Signature("handover", ["successor: cadre?", "opts?: { date: string?, reason: string?, left: boolean?, left_on: string?, allow_over_quota: boolean? }"],
                                      ["integer", "cadre"], on: ["cadre"])],
        "record:spare_quota": [Signature("spare_quota", ["date?: string"], ["{ villages: integer, rural_households: integer?, communities: integer?, urban_households: integer? }"], on: ["cadre", "unit"])],
        "record:history": [Signature("history", [], ["{ from: string, to: string?, linker: string, unit: string?, reason: string?, successor: string?, note: string? }[]"], on: ["household", "village"])],
        "record:cadres": [Signature("cadres", [date], ["cadres"], on: ["household", "village"]),
                          Signature("cadres", [filter], ["cadres"], on: ["unit"])],
        "record:households": [Signature("households", [date], ["households"], on: ["cadre"]),
                              Signature("households", [filter], ["households"], on: ["village", "area"])],
        "record:visits": [
            Signature("visits", [filter], ["visits"], on: ["household", "village", "unit", "cadre"]),
            Signature("links", [filter], ["links"], on: ["household", "village", "unit", "cadre"]),
            Signature("activities", [filter], ["activities"], on: ["household", "village", "unit", "cadre"]),
            Signature("problems", [filter], ["problems"], on: ["household", "village"]),
            Signature("surveys", [filter], ["surveys"], on: ["household"]),
            Signature("villages", [filter], ["villages"], on: ["area"]),
            Signature("villages", [date], ["villages"], on: ["unit", "cadre"]),
            Signature("communities", [filter], ["communities"], on: ["area"]),
            Signature("communities", [date], ["communities"], on: ["unit", "cadre"]),
            Signature("units", [filter], ["units"], on: ["area"]),
            Signature("units", [date], ["units"], on: ["village"]),
        ],
        "export.csv": [Signature("csv", ["rows: table|userdata", "path: string", "opts?: { bom: boolean?, columns: string[]? }"], ["integer"])],
        "export.json": [Signature("json", ["rows: table|userdata", "path?: string"], ["string|integer"])],
        "export.markdown": [Signature("markdown", ["rows: table|userdata", "path?: string"], ["string|integer"])],
        "export.xlsx": [Signature("xlsx", ["rows: table|userdata", "path: string", "opts?: { sheet: string? }"], ["integer"])],
        "import.check": [Signature("check", ["kind: string", "row: table"], ["{ field: string, message: string }[]"])],
        "linkage.now": [Signature("now", [], ["number"])],
        "linkage.pad": [Signature("pad", ["text: any", "width: integer", "right?: boolean"], ["string"]),
                        Signature("width", ["text: string"], ["integer"]),
                        Signature("truncate", ["text: string", "columns: integer"], ["string"])],
        "linkage.as_of": [Signature("as_of", ["date?: string"], ["string"])],
        "assign.households": [Signature("households", ["opts?: { as_of: string?, households: households|household[]?, cadres: cadres|cadre[]?, fill: boolean? }"], ["assign.proposal"])],
        "assign.villages": [Signature("villages", ["opts?: { as_of: string?, villages: villages|communities|village[]?, units: units|unit[]?, cadres: cadres|cadre[]?, open_units: boolean?, fill: boolean? }"], ["assign.proposal"])],
        "assign.all": [Signature("all", ["opts?: { as_of: string?, households: households|household[]?, villages: villages|communities|village[]?, units: units|unit[]?, cadres: cadres|cadre[]?, open_units: boolean?, fill: boolean? }"], ["assign.proposal"])],
        "assign.proposal": [Signature("apply", ["opts?: { allow_over_quota: boolean? }"], ["integer"]),
                            Signature("filter", ["keep: fun(entry: assign.entry): boolean"], ["assign.proposal"]),
                            Signature("summary", [], ["string"])],
    ]
}

enum Catalogued {
    static let collections = Set(Catalog.collections.map(\.name))
}
