import Foundation
import LinkageModel

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
          export        export.csv, export.json, export.markdown, export.xlsx;  import.check, import.file
          check         check.all{ year = 2012 }, check.coverage … check.staff: the plan's rules held
                        against the register, as findings;  rules.get/set: the rules, dated
          collections   areas villages communities households units cadres links visits
                        activities problems surveys — queries that run as one SQL statement
          records       rows of a collection: fields, relations (h.village.area.name), methods
          linkage       linkage.as_of(date): the date domain filters ask about (default today)
          assign        assign.households, assign.villages, assign.all: proposals of links
                        (within quotas) to print, edit and apply with proposal:apply()
          report        report.new{ title = … }, report.builtin('coverage'): reports as HTML, XLSX
                        or Markdown, with figures, tables, charts (r:write('r.html'))

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
        HelpEntry(key: "group_by", usage: "q:group_by('field', ...):aggregate{ name = 'count' | { function, 'field' }, ... } --> rows",
                  summary: "Aggregates per group in one SQL statement: a row per distinct value of the fields (paths and aliases as in where: township, 'village.name'; a relation such as village groups by record, its id), and a column per aggregate: 'count' (rows), { 'count', 'field' } (values that are not nil), { 'count', 'field', distinct = true } or { 'count_distinct', 'field' }, { 'sum', 'field' }, 'avg', 'min', 'max'. where filters the rows first; having{ name = { gt = n } } keeps the groups whose aggregate compares so; order_by('-name') and limit order and cut the groups, which otherwise come sorted by their keys. Without group_by, one row over the whole query. The rows print as a table and export with export.*, columns in order (the keys, then the aggregates by name), and tell their SQL: rows:sql().",
                  example: "local r = households:group_by('township', 'main_cause'):aggregate{\n  households = 'count', income = { 'avg', 'income' }, members = { 'sum', 'members' } }\nassert(r[3].township == '太京镇' and r[3].main_cause == '因病' and r[3].income == 1450)\nassert(export.markdown(r) == [[\n| township | main_cause | households | income | members |\n| --- | --- | ---: | ---: | ---: |\n| 大城街道 | 因残 | 3 | 4000.0 | 6 |\n| 太京镇 | 因学 | 2 | 1900.0 | 9 |\n| 太京镇 | 因病 | 2 | 1450.0 | 3 |\n| 太京镇 | 缺技术 | 2 | 1900.0 | 4 |\n| 太京镇 | 缺资金 | 2 | 2350.0 | 5 |\n| 玉泉镇 | 因学 | 1 | 2800.0 | 3 |\n| 玉泉镇 | 因病 | 1 | 2350.0 | 5 |\n| 玉泉镇 | 缺技术 | 1 | 1900.0 | 2 |\n| 玉泉镇 | 缺资金 | 1 | 1450.0 | 4 |\n]])\nlocal big = households:group_by('township'):having{ n = { ge = 4 } }:order_by('-n'):aggregate{ n = 'count' }\nassert(#big == 2 and big[1].township == '太京镇' and big[2].n == 4)"),
        HelpEntry(key: "pivot", usage: "q:pivot{ rows = 'field', columns = 'field', value = 'count' | { 'sum', 'field' }, total = '合计' } --> rows",
                  summary: "A cross-tab: a row per value of rows, a column per value of columns (sorted; at most 200), each cell the value over the rows that have both (a count of none is 0, any other value nil), and a total column and a total row, named by total, over all their rows: the total of an average is the average of the rows, not of the cells. value takes what aggregate takes. Two SQL statements, whatever the size: the column values, then the table, which reads the rows once. Rows as aggregate's.",
                  example: "local t = households:pivot{ rows = 'township', columns = 'main_cause' }\nassert(export.markdown(t) == [[\n| township | 因学 | 因残 | 因病 | 缺技术 | 缺资金 | 合计 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n| 大城街道 | 0 | 3 | 0 | 0 | 0 | 3 |\n| 太京镇 | 2 | 0 | 2 | 2 | 2 | 8 |\n| 玉泉镇 | 1 | 0 | 1 | 1 | 1 | 4 |\n| 合计 | 3 | 3 | 3 | 3 | 3 | 15 |\n]])\nlocal incomes = households:where{ kind = 'rural' }:pivot{ rows = 'village.name', columns = 'main_cause', value = { 'avg', 'income' } }\nassert(incomes[#incomes]['合计'] == 1975)"),
        HelpEntry(key: "sql", usage: "q:sql() --> text, values   q:group_by(…):sql{ aggregates }   rows:sql()",
                  summary: "The SQL the query runs, with its bound values. A grouped query shows the SQL of aggregate with the same table (a count without one); the rows of aggregate and pivot tell the SQL that made them.",
                  example: "local text, values = households:where{ kind = 'urban' }:sql()\nassert(text:find('WHERE household.kind = ?', 1, true) and values[1] == 'urban')\nassert(households:group_by('kind'):sql{ n = 'count' } == households:group_by('kind'):aggregate{ n = 'count' }:sql())"),
        HelpEntry(key: "update", usage: "q:update{ field = value, ... } --> changed rows",
                  summary: "Changes every row of the query in one statement; values are checked first (type, enumeration).",
                  example: "assert(households:where{ township = '太京镇' }:update{ housing_secured = true } == 8)"),
        HelpEntry(key: "delete", usage: "q:delete() --> deleted rows",
                  summary: "Deletes every row of the query in one statement. Households, cadres, units and villages with links are never deleted (history); links are only ended.",
                  example: "assert(surveys:where{ year = 2011 }:delete() == 0)"),
        HelpEntry(key: "add", usage: "collection:add{ field = value, ... } --> record",
                  summary: "Adds a record after checking every field: required fields, types, enumerations, references, the resident ID's check character. Relations may be given by name (village = v). An open link (links:add with no end_date) is held to what record:link holds it to — who may link, one open link per pair, the quotas and household_cadres_max — with no option to exceed them; a link with its end date is a record of the past, taken as it is.",
                  example: "local h = households:add{ village = villages:get(1), kind = 'rural', head_name = '新户',\n  resident_id = '34052419800101001X', main_cause = '因病', members = 3 }\nassert(h.village.name == '窝驼村')"),
        HelpEntry(key: "each", usage: "for r in q:each() do ... end   (or: for r in q do ... end)",
                  summary: "Streams the records of a query in constant memory.",
                  example: "local n = 0\nfor h in households:where{ kind = 'urban' } do n = n + h.members end\nassert(n == 6)"),
        HelpEntry(key: "linked", usage: "households:linked(date)   households:unlinked(date)",
                  summary: "Households with (without) an active link to a cadre on the date (default linkage.as_of()).",
                  example: "cadres:get(1):link(households:get(1), '2012-03-01')\nassert(households:linked('2012-06-30'):count() == 1 and households:unlinked():count() == 14)"),
        HelpEntry(key: "uncovered", usage: "villages:uncovered(date)   communities:uncovered(date)   households:uncovered(date)",
                  summary: "What the coverage check finds uncovered on the date (全面覆盖): poor villages and communities with no active link from a unit or cadre; households with no active cadre link that have not met the target (exited and 两不愁三保障 all met: 不脱钩). The same as where{ covered = false }.",
                  example: "units:get(2):link(villages:get(1), '2012-03-01')\nassert(villages:uncovered():count() == 2)\nassert(households:uncovered('2012-06-30'):count() == #check.coverage{ as_of = '2012-06-30' } - 3)"),
        HelpEntry(key: "eligible", usage: "cadres:eligible(date)",
                  summary: "Cadres who may link households on the date: not of an excluded category in force that day (rules.get('excluded'): teachers, medical staff, enterprise employees, logistics staff unless the rules change), still serving.",
                  example: "assert(cadres:eligible():count() == 4)"),
        HelpEntry(key: "active", usage: "links:active(date)", summary: "Links active on the date: started on or before it and not ended by it.",
                  example: "cadres:get(1):link(households:get(1), '2012-03-01')\nassert(links:active('2012-02-01'):count() == 0 and links:active('2012-03-01'):count() == 1)"),
        // records
        HelpEntry(key: "record", usage: "h.head_name   h.village.area.name   h:update{ … }   h:cadres()",
                  summary: "A record is a Lua table of its row's fields. Relations read as fields (h.village, c.unit, l.successor) and are read once per id. Methods: update{…} on every record; " + recordMethodList + ". An unknown field is an error that lists the valid ones.",
                  example: "local h = households:get(1)\nassert(h.village.area.name == '太京镇' and tostring(h) == 'household 1 户主1')"),
        HelpEntry(key: "record:update", usage: "record:update{ field = value, ... } --> record",
                  summary: "Changes fields of one record after checking them, and refreshes the record.",
                  example: "local h = households:get(1):update{ income = 3100 }\nassert(h.income == 3100)"),
        HelpEntry(key: "record:link", usage: "cadre:link(target, { since = date, allow_over_quota = false })   unit:link(village, { since = date })",
                  summary: "Starts a link (a cadre to a household, village or community; a unit to a village or community). Excluded and departed staff never link; a target is linked once by the same linker. A link past the linker's quota in force on the date (quota_rule by role; unit_quota_rule for units with a fixed number) or past household_cadres_max for the household is refused, naming the quota and the rule; allow_over_quota = true makes it anyway, warns on stderr, and `linkage check` lists it.",
                  example: "local l = cadres:get(2):link(households:get(3), { since = '2012-03-01' })\nassert(l.start_date == '2012-03-01' and l.household.head_name == '户主3')\nlocal ok, err = pcall(cadres:get(2).link, cadres:get(2), households:get(4), '2012-03-01')\nassert(not ok and err:find('over the quota of 1', 1, true))"),
        HelpEntry(key: "record:close", usage: "link:close{ date = date, reason = '调离' | '疾病' | '退休' | '脱贫' | '其他' }   problem:close{ date = date, resolution = text }",
                  summary: "Ends a link; links are never deleted. A link ends once. A problem closes with its resolution (已办结), once, not before its report, escalation or last follow-up.",
                  example: "local l = cadres:get(2):link(households:get(3), '2012-03-01'):close{ date = '2012-09-01', reason = '退休' }\nassert(l.end_reason == '退休')\nlocal p = households:get(3):report_problem{ by = cadres:get(2), on = '2012-05-01', description = '住房漏雨' }\nassert(p:close{ date = '2012-06-15', resolution = '协调危房改造' }.status == 'closed')"),
        HelpEntry(key: "record:handover", usage: "cadre:handover(successor or nil, { date = date, reason = '调离', left = true, allow_over_quota = false }) --> links moved, successor",
                  summary: "Ends every active link of the cadre on the date, recording the successor, and starts the same links for the successor (接替), in one step. Without a successor, the least-loaded eligible colleague of the same unit takes over (one whose spare quota takes every link first, then fewest links, then lowest id). The successor's quota is checked as for link (allow_over_quota to pass it); an excluded or departed successor, or one whose own links came to the cadre through a chain of successors (a cycle), is refused. left = true (or left_on = date) marks the cadre departed (left_on), so it no longer counts as under quota.",
                  example: "local a = cadres:get(1)\na:link(households:get(1), '2012-03-01')\nlocal moved, to = a:handover(nil, { date = '2012-09-01', reason = '调离', left = true })\nassert(moved == 1 and to.name == '王芳' and a.left_on == '2012-09-01')\nassert(households:get(1):cadres('2012-10-01'):first().name == '王芳')\nassert(households:get(1):cadres('2012-08-01'):first().name == '李明')"),
        HelpEntry(key: "record:spare_quota", usage: "cadre:spare_quota(date) --> { villages, rural_households, communities, urban_households }   unit:spare_quota(date) --> { villages }",
                  summary: "The places left of the quota in force on the date (default linkage.as_of()): the role's numbers (quota_rule) less the links held that day; none for excluded or departed cadres. A unit's poor villages by unit_quota_rule; math.huge for a unit with no fixed number. The quotas check and assign.* count the same way.",
                  example: "local q = cadres:get(1):spare_quota('2012-03-01')\nassert(q.villages == 1 and q.rural_households == 2 and q.urban_households == 0)\ncadres:get(1):link(households:get(1), '2012-03-01')\nassert(cadres:get(1):spare_quota('2012-03-01').rural_households == 1)\nassert(units:get(2):spare_quota('2012-03-01').villages == 1 and units:get(1):spare_quota().villages == math.huge)"),
        HelpEntry(key: "record:history", usage: "household:history()   village:history() --> rows { from, to, linker, unit, reason, successor, note, … }",
                  summary: "Who held the household (or village, community), from when to when, and why it changed: every link to it, ended or not, in the order they began. record:cadres(date) answers who held it on one day.",
                  example: "local a = cadres:get(1)\na:link(households:get(1), '2012-03-01')\na:handover(cadres:get(2), { date = '2012-09-01', reason = '调离' })\nlocal h = households:get(1):history()\nassert(#h == 2 and h[1].linker == '李明' and h[1].to == '2012-09-01' and h[1].reason == '调离' and h[1].successor == '王芳')\nassert(h[2].linker == '王芳' and h[2].to == nil)"),
        HelpEntry(key: "record:cadres", usage: "household:cadres(date)   cadre:households(date)   unit:communities(date) … --> query",
                  summary: "The records linked with this one by a link active on the date (a date, or { as_of = date }; default linkage.as_of()): who was linked to whom, when. A query like any other (where, count, for loops …); it starts from this record's links, so a call costs microseconds however large the register. Through links: " + relationList(dated: true) + ".",
                  example: "local c, u = cadres:get(1), units:get(2)\nc:link(households:get(5), '2012-03-01')\nu:link(communities:first(), { since = '2012-04-01' })\nassert(households:get(5):cadres():first().name == '李明')\nassert(#c:households('2012-04-01') == 1 and c:households{ as_of = '2012-02-01' }:count() == 0)\nassert(u:communities('2012-04-01'):first().name == '环城社区' and u:villages():count() == 0)"),
        HelpEntry(key: "record:visits", usage: "record:visits{ year = 2012 } --> query of visits",
                  summary: "The rows that belong to the record (their foreign key is its id), optionally filtered with where{} fields; as_of = date keeps the links active on that date. By foreign key: " + relationList(dated: false) + ".",
                  example: "assert(households:get(1):visits{ year = 2012 }:count() == 0)\nassert(villages:get(1):households{ kind = 'rural' }:count() == 4 and areas:get(1):households():count() == 8)"),
        // problems (问题上报)
        HelpEntry(key: "record:report_problem", usage: "household:report_problem{ by = cadre_or_unit, on = date, description = text } --> problem",
                  summary: "Reports a problem a cadre or unit cannot solve (问题上报) about a household, village or community, on a date (default linkage.as_of()); it stays open until escalated to the office and closed. An unknown reporter, a date not written YYYY-MM-DD or an empty description is refused and nothing is written.",
                  example: "local p = households:get(1):report_problem{ by = cadres:get(1), on = '2012-05-01', description = '危房改造资金不足' }\nassert(p.status == 'open' and p.household.head_name == '户主1' and p.reporter_cadre.name == '李明')"),
        HelpEntry(key: "record:escalate", usage: "problem:escalate{ date = date } --> problem",
                  summary: "Passes an open problem up to the leadership office (已上报协调) and refreshes the record. A problem already escalated or closed, or a date before the report, is refused.",
                  example: "local p = villages:get(1):report_problem{ by = units:get(2), on = '2012-05-01', description = '村道未硬化' }\np:escalate{ date = '2012-05-20' }\nassert(p.status == 'escalated' and p.escalated_on == '2012-05-20')"),
        HelpEntry(key: "record:follow_up", usage: "problem:follow_up{ date = date, note = text } --> problem",
                  summary: "Records a follow-up (跟踪督办): what was done or learnt, dated from the report to the closing.",
                  example: "local p = households:get(2):report_problem{ by = cadres:get(1), on = '2012-05-01', description = '子女上学困难' }\np:follow_up{ date = '2012-06-01', note = '已联系区教育局' }\nassert(p:followups()[1].note == '已联系区教育局')"),
        HelpEntry(key: "record:followups", usage: "problem:followups() --> { followup, ... }",
                  summary: "The follow-ups of a problem (rows of problem_followup), by date.",
                  example: "local p = households:get(3):report_problem{ by = cadres:get(2), on = '2012-05-01', description = '缺少劳力' }\np:follow_up{ date = '2012-07-01', note = '二次走访' }:follow_up{ date = '2012-06-01', note = '联系村委会' }\nassert(#p:followups() == 2 and p:followups()[1].date == '2012-06-01')"),
        // materials (联系卡, 联村联户日志)
        HelpEntry(key: "record:contact_card", usage: "cadre:contact_card{ as_of = date } --> rows   (units and areas too)",
                  summary: "The contact cards (联系卡) of the households linked on the date (default linkage.as_of()): a cadre's, a unit's cadres', or those in a township or subdistrict. A row per link: the household's township, village, group and head, the linking cadre's name, unit, title and phone, and the units linking the village. Rows are keyed by the Chinese column names; export.* writes them in order and print shows them aligned, as `linkage card` does.",
                  example: "cadres:get(1):link(households:get(1), '2012-03-01')\nunits:get(2):link(villages:get(1), '2012-03-01')\nlocal card = areas:find{ name = '太京镇' }:contact_card{ as_of = '2012-06-30' }\nassert(#card == 1 and card[1]['户主'] == '户主1' and card[1]['联系干部'] == '李明' and card[1]['联系单位'] == '区财政局')\nassert(tostring(card):find('联系卡 · 太京镇 · 2012-06-30', 1, true))"),
        HelpEntry(key: "record:linkage_log", usage: "cadre:linkage_log{ year = 2012 } --> rows   (units and areas too)",
                  summary: "The linkage log (联村联户日志) of a year (default that of linkage.as_of()): visits, talks, publicity sessions, activities of the six actions and problems reported, by date, then a 合计 row per kind. A cadre's own; a unit's cadres' and the unit's; or everything done in a township or subdistrict. Rows as contact_card's; `linkage log` prints the same.",
                  example: "households:get(1):report_problem{ by = cadres:get(1), on = '2012-05-01', description = '饮水困难' }\ndb.exec(\"INSERT INTO visit (cadre_id, household_id, date, days) VALUES (1, 1, '2012-04-01', 2)\")\nlocal log = cadres:get(1):linkage_log{ year = 2012 }\nassert(#log == 4 and log[1]['类别'] == '入户走访' and log[2]['类别'] == '问题上报' and log[3]['内容'] == '共 1 次')"),
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
        // export and import
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
        HelpEntry(key: "import.file", usage: "import.file(kind, path [, { update = true, dry_run = true, sheet = '名单' }]) --> { rows =, added =, updated =, unchanged =, problems = { … } }",
                  summary: "Imports a CSV or XLSX file as 'linkage import KIND FILE' does, inside the script's transaction and audit session, all of it or none of it. A problem raises an error at the script's line naming each bad cell FILE:LINE:COLUMN; dry_run = true writes nothing and returns the problems instead.",
                  example: "local path = os.tmpname() .. '.csv'\nexport.csv(areas, path)\nlocal r = import.file('areas', path, { update = true, dry_run = true })\nassert(r.unchanged == r.rows and #r.problems == 0)\nos.remove(path)"),
        HelpEntry(key: "linkage.now", usage: "linkage.now() --> seconds",
                  summary: "A monotonic clock in seconds, for timing a step.",
                  example: "local t = linkage.now()\nhouseholds:count()\nassert(linkage.now() >= t)"),
        HelpEntry(key: "linkage.pad", usage: "linkage.pad(text, width [, right]) --> text   linkage.width(text) --> columns",
                  summary: "Pads text to a width on the terminal, counting Chinese characters as two columns, so tables of names line up; right = true pads on the left.",
                  example: "assert(linkage.width('太京镇') == 6 and linkage.pad('太京镇', 8) == '太京镇  ')\nassert(linkage.pad(42, 4, true) == '  42')"),
        HelpEntry(key: "linkage.as_of", usage: "linkage.as_of(date) --> date",
                  summary: "Sets (or, without an argument, tells) the date that linked, uncovered, eligible, active and the relations through links (h:cadres(), c:households() …) ask about when none is given.",
                  example: "linkage.as_of('2012-12-31')\nassert(linkage.as_of() == '2012-12-31')"),
        // the rules engine
        HelpEntry(key: "check.all", usage: "check.all{ year = 2012, as_of = date, severity = 'warning', only = { 'coverage', … } } --> findings",
                  summary: "Holds the register to every rule of the plan and returns the findings: a list of { check, severity ('error', 'warning', 'info'), subject, area, expected, actual, message, subject_table, subject_id }, which prints as a table and exports with export.*. Links and quotas are taken on as_of; visits and activities count from the first of year to its end, or to as_of inside the year. Without year, the year of as_of; without either, linkage.as_of(). The rules are those in force that day (rules.get); a day with none is an error. severity keeps that severity or worse.",
                  example: "local f = check.all{ year = 2012 }\nlocal s = check.summary(f)\nassert(s.total == #f and s.error == 21 and s.by_check.coverage == 19 and f[1].check == 'coverage')\nassert(#check.all{ year = 2012, only = { 'visits' } } == 0)"),
        HelpEntry(key: "check.coverage", usage: "check.coverage{ as_of = date }   check.quotas   check.visits   check.actions   check.outcomes   check.problems   check.staff",
                  summary: "One check each, with the options of check.all. coverage: every poor village, community and household linked (全面覆盖), and a household stays linked until it has exited and 两不愁三保障 are all met (不脱钩); at most household_cadres_max cadres. quotas: cadres and units against the quota in force (over: error, under: warning). visits: each link's visits, days, talks and publicity against the standard, pro-rated by the share of the period the link was active (round(standard × days linked ÷ days of the year)). actions: the six actions' minimums per linked target (action_minimum). outcomes: 两不愁三保障 still missing, poor villages with no industry project, households with no prosperity lead. problems: open past problem_deadline_days or without follow-up for problem_followup_days. staff: excluded or departed cadres still holding links.",
                  example: "local f = check.coverage{ as_of = '2012-06-30' }\nassert(#f == 19 and f[1].subject == 'household 1 户主1' and f[1].severity == 'error')\nassert(#check.staff{ as_of = '2012-06-30' } == 0)"),
        HelpEntry(key: "check.summary", usage: "check.summary(findings) --> { error = n, warning = n, info = n, total = n, by_check = { … } }   check.status(findings) --> 0 or 1",
                  summary: "Counts findings by severity and by check. check.status is 1 when an error-severity finding exists, else 0: a scheduled script ends with os.exit(check.status(f)), as `linkage check` does.",
                  example: "local f = check.coverage{ as_of = '2012-06-30' }\nassert(check.summary(f).by_check.coverage == 19 and check.status(f) == 1)"),
        HelpEntry(key: "rules.get", usage: "rules.get(kind [, date | { as_of = date }]) --> rows   rules.history(kind) --> rows",
                  summary: "The rules of a kind in force on the date (default linkage.as_of()), or every row with the days it is in force (valid_from, valid_until). Kinds: quota (by role), unit_quota (by unit kind), visit_standard, action_minimum, setting, assessment, excluded (the categories of staff who do not link, by category, with label and label_en).",
                  example: "assert(#rules.get('quota', '2012-06-30') == 9 and #rules.history('setting') == 3)\nassert(#rules.get('quota', '2011-06-30') == 0)"),
        HelpEntry(key: "rules.set", usage: "rules.set(kind, { key fields, numbers, from = date [, note = text] }) --> row id",
                  summary: "Changes a rule from a day on: the row in force that day ends, a new one begins with the numbers given (the others kept), and earlier years keep their rules, so a check of an earlier year is unchanged. Audited like every change. The key fields name the rule: role, unit_kind, actor/target/kind, item/target, name, category. A new excluded category (村医 from 2013) is one cadre.excluded may name, and its cadres do not link from that day: link() refuses them and check.staff finds their links, with no change of code.",
                  example: "rules.set('quota', { role = 'township_other', rural_households = 2, from = '2013-01-01' })\nlocal function quota(day) for _, r in ipairs(rules.get('quota', day)) do if r.role == 'township_other' then return r.rural_households end end end\nassert(quota('2012-06-30') == 1 and quota('2013-06-30') == 2)"),
        HelpEntry(key: "rules.stop", usage: "rules.stop(kind, { key fields, on = date })",
                  summary: "Ends a rule: from the day on it is not in force, and a check that needs it is refused for later days. An excluded category that ends excludes no one from that day.",
                  example: "rules.stop('setting', { name = 'problem_followup_days', on = '2014-01-01' })\nassert(#rules.get('setting', '2014-06-30') == 2)\nrules.stop('excluded', { category = 'teacher', on = '2014-01-01' })\nassert(cadres:eligible('2013-06-30'):count() == 4 and cadres:eligible('2014-06-30'):count() == 5)"),
        // report
        HelpEntry(key: "report.new", usage: "report.new{ title = text, subtitle = text } --> report",
                  summary: "A report to fill with sections of figures, tables, charts and text, then write as one HTML page (for a phone, a desktop or A4), an XLSX workbook (a sheet per section) or Markdown, as `linkage report` writes the built-in ones (docs/reports.md).",
                  example: "local r = report.new{ title = '户数', subtitle = '按村' }\nr:section('村'):figure('households', households:count(), { format = 'integer' })\nassert(r:markdown():find('# 户数', 1, true) == 1)"),
        HelpEntry(key: "report.builtin", usage: "report.builtin(name, { year = y, as_of = date, area = township }) --> report",
                  summary: "A built-in report (report.names: overview, coverage, visits, quotas, outcomes, problems, assessment) as `linkage report NAME` makes it, to write, read (r.sections[1].blocks[1].items are its headline figures) or extend with sections of your own. Without year or as_of, linkage.as_of().",
                  example: "local c = report.builtin('coverage', { as_of = '2012-06-30' })\nassert(c.title == '覆盖情况 Coverage' and #report.names == 7)\nc:section('办公室意见'):text('逐户核实')\nassert(#c.sections == 4)"),
        HelpEntry(key: "report.report", usage: "r:section(title, { sheet = name })   r:figure(label, value, { format, note, tone })   r:table(rows, { title, columns, formats, totals, limit })   r:chart{ kind, title, categories, series | rows, category, values }   r:text(s)   r:note(s)   r:write(path)   r:html()   r:markdown()",
                  summary: "Each adds to the current section and returns the report. figure: a headline number; consecutive figures share a row of cards. table: a query, db.query rows (in the statement's column order), findings or a list of rows; columns picks and orders; formats = { column = 'percent:1' } (auto, text, integer, decimal:N, percent:N — a percent is the fraction); totals = true adds a row of sums; limit keeps the first n and says how many were left out. chart: bar, stacked_bar or line, from categories and series = { { name, values } } or from rows (category and values name columns); every chart also shows its numbers as a table. write: .html, .xlsx or .md by the name. Resident IDs and phones are masked unless the run has --show-pii.",
                  example: "local r = report.new{ title = 't' }\nr:table(db.query('SELECT name, kind FROM village ORDER BY id'), { title = 'villages', limit = 2 })\nr:chart{ kind = 'bar', title = 'households', categories = { 'a', 'b' }, series = { { name = 'n', values = { 3, 5 } } } }\nlocal t = r.sections[1].blocks[1]\nassert(t.columns[1].name == 'name' and #t.rows == 2)\nassert(r:html():find('<svg', 1, true))"),
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
        // "record:TABLE:NAME": the method NAME of a record of TABLE (households is a relation
        // through links on a cadre, by foreign key on a village).
        let parts = key.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3, parts[0] == "record" {
            return recordEntry(parts[2], table: parts[1]) ?? resolve("record:" + parts[2])
        }
        var scope = "", name = key
        if key.hasPrefix("record:") { scope = "record:"; name = String(key.dropFirst(scope.count)) }
        else if let dot = key.firstIndex(of: ".") { scope = String(key[...dot]); name = String(key[key.index(after: dot)...]) }
        for e in entries where scope.isEmpty ? !e.key.contains(".") && !e.key.contains(":") : e.key.hasPrefix(scope) {
            if signatures[e.key]?.contains(where: { $0.name == name }) == true { return e }
        }
        return nil
    }

    /// The entry that documents method `name` of a record of `table`.
    static func recordEntry(_ name: String, table: String) -> HelpEntry? {
        entries.first { e in e.key.hasPrefix("record:") && recordSignature(e, name, table: table) != nil }
    }

    private static func recordSignature(_ e: HelpEntry, _ name: String, table: String) -> Signature? {
        signatures[e.key]?.first { $0.name == name && ($0.tables?.contains(table) ?? true) }
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
        ("covered", "covered on the day as the coverage check counts it (true) or not (false): villages and communities with a unit or cadre linked, households with a cadre linked or the target met"),
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
            let e = recordEntry(m, table: table)
            let sig = e.flatMap { recordSignature($0, m, table: table) }
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

    /// The record methods that return related rows, as the model declares them
    /// (Catalog.recordRelations): through links with a date, or by foreign key with a filter.
    private static func relationSignatures(dated: Bool) -> [Signature] {
        Catalog.recordRelations.filter { $0.isDated == dated }.map {
            Signature($0.name, [dated ? date : filter], [$0.collection], on: [$0.table])
        }
    }

    /// "household: cadres; village: cadres, units; …": the relations by record table, in the
    /// model's order, each written by `call`, and `more` methods after a table's relations.
    private static func listByTable(_ relations: [RecordRelation], _ call: (RecordRelation) -> String,
                                    more: [(String, [String])] = []) -> String {
        var tables: [String] = []
        var names: [String: [String]] = [:]
        for (table, list) in relations.map({ ($0.table, [call($0)]) }) + more {
            if names[table] == nil { tables.append(table) }
            names[table, default: []] += list
        }
        return tables.map { "\($0)\($0 == "village" ? " (and community)" : ""): \(names[$0]!.joined(separator: ", "))" }
            .joined(separator: "; ")
    }

    static func relationList(dated: Bool) -> String {
        listByTable(Catalog.recordRelations.filter { $0.isDated == dated }, \.name)
    }

    /// The methods of each kind of record, for the summary of records: relations from the model,
    /// then the methods that change links.
    static var recordMethodList: String {
        listByTable(Catalog.recordRelations, { $0.isDated ? "\($0.name)(date)" : "\($0.name){…}" },
                    more: [("unit", ["link(village, {since})", "spare_quota(date)"]),
                           ("cadre", ["link(target, {since})", "handover(successor, {date, reason, left})", "spare_quota(date)"]),
                           ("household", ["history()"]), ("village", ["history()"]),
                           ("link", ["close{date, reason}"])])
    }

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
        "group_by": [Signature("group_by", ["...: string"], ["@Q"]), Signature("having", ["filter: table"], ["@Q"]),
                     Signature("aggregate", ["aggregates: table<string, string|table>"], ["table[]"])],
        "pivot": [Signature("pivot", ["opts: { rows: string, columns: string, value: string|table?, total: string? }"], ["table[]"])],
        "sql": [Signature("sql", ["aggregates?: table<string, string|table>"], ["string", "any[]"])],
        "update": [Signature("update", ["fields: @F"], ["integer"])],
        "delete": [Signature("delete", [], ["integer"])],
        "add": [Signature("add", ["fields: @F"], ["@R"])],
        "each": [Signature("each", [], ["fun(): @R?"])],
        "linked": ["linked", "unlinked"].map { Signature($0, [date], ["@Q"], on: ["household"]) },
        "uncovered": [Signature("uncovered", [date], ["@Q"], on: ["village", "household"])],
        "eligible": [Signature("eligible", [date], ["@Q"], on: ["cadre"])],
        "active": [Signature("active", [date], ["@Q"], on: ["link"])],
        "record:update": [Signature("update", ["fields: table"], ["@R"])],
        "record:link": [Signature("link", ["target: household|village", "since?: string|{ since: string, allow_over_quota: boolean? }"], ["link"], on: ["cadre", "unit"])],
        "record:close": [Signature("close", ["opts?: { date: string?, reason: string? }"], ["link"], on: ["link"]),
                         Signature("close", ["opts: { date: string?, resolution: string }"], ["problem"], on: ["problem"])],
        "record:report_problem": [Signature("report_problem", ["opts: { by: cadre|unit, on: string?, description: string }"], ["problem"],
                                            on: ["household", "village"])],
        "record:escalate": [Signature("escalate", ["opts?: { date: string? }"], ["problem"], on: ["problem"])],
        "record:follow_up": [Signature("follow_up", ["opts: { date: string?, note: string }"], ["problem"], on: ["problem"])],
        "record:followups": [Signature("followups", [], ["table[]"], on: ["problem"])],
        "record:contact_card": [Signature("contact_card", ["as_of?: string|{ as_of: string }"], ["table[]"], on: ["cadre", "unit", "area"])],
        "record:linkage_log": [Signature("linkage_log", ["year?: integer|{ year: integer }"], ["table[]"], on: ["cadre", "unit", "area"])],
        "record:handover": [Signature("handover", ["successor: cadre?", "opts?: { date: string?, reason: string?, left: boolean?, left_on: string?, allow_over_quota: boolean? }"],
                                      ["integer", "cadre"], on: ["cadre"])],
        "record:spare_quota": [Signature("spare_quota", ["date?: string"], ["{ villages: integer, rural_households: integer?, communities: integer?, urban_households: integer? }"], on: ["cadre", "unit"])],
        "record:history": [Signature("history", [], ["{ from: string, to: string?, linker: string, unit: string?, reason: string?, successor: string?, note: string? }[]"], on: ["household", "village"])],
        "record:cadres": relationSignatures(dated: true),
        "record:visits": relationSignatures(dated: false),
        "export.csv": [Signature("csv", ["rows: table|userdata", "path: string", "opts?: { bom: boolean?, columns: string[]? }"], ["integer"])],
        "export.json": [Signature("json", ["rows: table|userdata", "path?: string"], ["string|integer"])],
        "export.markdown": [Signature("markdown", ["rows: table|userdata", "path?: string"], ["string|integer"])],
        "export.xlsx": [Signature("xlsx", ["rows: table|userdata", "path: string", "opts?: { sheet: string? }"], ["integer"])],
        "import.check": [Signature("check", ["kind: string", "row: table"], ["{ field: string, message: string }[]"])],
        "import.file": [Signature("file", ["kind: string", "path: string", "opts?: { update: boolean?, dry_run: boolean?, sheet: string? }"],
                                  ["{ kind: string, file: string, rows: integer, added: integer, updated: integer, unchanged: integer, dry_run: boolean, problems: { line: integer?, column: string?, field: string?, message: string, text: string }[] }"])],
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
        "check.all": [Signature("all", [checkOptions], ["table[]"])],
        "check.coverage": Checks.all.map { Signature($0.name, [checkOptions], ["table[]"]) },
        "check.summary": [Signature("summary", ["findings: table[]"], ["table"]), Signature("status", ["findings: table[]"], ["integer"]),
                          Signature("names", [], ["string[]"])],
        "rules.get": [Signature("get", ["kind: string", "date?: string|{ as_of: string }"], ["table[]"]),
                      Signature("history", ["kind: string"], ["table[]"]), Signature("kinds", [], ["table[]"])],
        "rules.set": [Signature("set", ["kind: string", "fields: table"], ["integer"])],
        "rules.stop": [Signature("stop", ["kind: string", "fields: table"], [])],
        "report.new": [Signature("new", ["opts: { title: string, subtitle: string? }|string"], ["report.report"])],
        "report.builtin": [Signature("builtin", ["name: string", "opts?: { year: integer?, as_of: string?, area: string? }"], ["report.report"])],
        "report.report": [Signature("section", ["title: string", "opts?: { sheet: string? }"], ["report.report"]),
                          Signature("figure", ["label: string", "value: any", "opts?: { format: string?, note: string?, tone: string? }"], ["report.report"]),
                          Signature("table", ["rows: table|userdata", "opts?: { title: string?, columns: string[]?, formats: table<string, string>?, totals: boolean|table?, limit: integer? }"], ["report.report"]),
                          Signature("chart", ["opts: { kind: string?, title: string?, categories: string[]?, series: { name: string, values: number[] }[]?, rows: table|userdata?, category: string?, values: string[]?, format: string? }"], ["report.report"]),
                          Signature("text", ["text: string"], ["report.report"]),
                          Signature("note", ["text: string"], ["report.report"]),
                          Signature("write", ["path: string"], ["string"]),
                          Signature("html", [], ["string"]),
                          Signature("markdown", [], ["string"])],
    ]

    private static let checkOptions = "opts?: { year: integer?, as_of: string?, severity: string?, only: string[]? }"
}

enum Catalogued {
    static let collections = Set(Catalog.collections.map(\.name))
}
