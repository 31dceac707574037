-- check.* and rules.*: the rules engine of the model (Checks, RuleBook) for scripts. RulesModule
-- passes its primitives as `...`. Findings are plain lists of plain rows, so they print as a table,
-- export with export.csv/xlsx, and loop like any list.
local P = ...

local severities = { error = 1, warning = 2, info = 3 }

-- Calls a primitive. Its errors already name the script's line (the bridge skips linkage's own
-- chunks), so they are raised again as they are.
local function call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

local function options(opts, fname)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(fname .. ": give options as a table, such as { year = 2012, as_of = '2012-06-30' }", 3)
  end
  for k in pairs(opts) do
    if k ~= "year" and k ~= "as_of" and k ~= "severity" and k ~= "only" then
      error(fname .. ": unknown option '" .. tostring(k) .. "'; the options are year, as_of, severity, only", 3)
    end
  end
  if opts.severity ~= nil and severities[opts.severity] == nil then
    error(fname .. ": severity is error, warning or info", 3)
  end
  return opts
end

-- A finding prints and exports with its columns in the engine's order.
local finding_mt = { __name = "linkage.finding", __columns = P.columns }

-- Runs the named checks; findings in check order, each check's own order within.
local function run(names, opts, fname)
  opts = options(opts, fname)
  local out, year, day = call(P.run, names, opts.year, opts.as_of, opts.severity)
  for _, f in ipairs(out) do setmetatable(f, finding_mt) end
  return out, year, day
end

check = {}
local names = {}
for _, c in ipairs(P.checks) do
  names[#names + 1] = c.name
  local name = c.name
  check[name] = function(opts) return (run({ name }, opts, "check." .. name)) end
end

--- check.all{ year =, as_of =, severity =, only = { … } } --> findings
function check.all(opts)
  local only = opts and opts.only
  if only ~= nil and type(only) ~= "table" then error("check.all: only is a list of checks, such as { 'coverage', 'quotas' }", 2) end
  return (run(only or names, opts, "check.all"))
end

--- check.summary(findings) --> { error = n, warning = n, info = n, total = n, by_check = { name = n } }
function check.summary(findings)
  if type(findings) ~= "table" then error("check.summary: give the findings of a check", 2) end
  local s = { error = 0, warning = 0, info = 0, total = #findings, by_check = {} }
  for _, f in ipairs(findings) do
    s[f.severity] = (s[f.severity] or 0) + 1
    s.by_check[f.check] = (s.by_check[f.check] or 0) + 1
  end
  return s
end

--- check.status(findings) --> 1 when an error-severity finding exists, else 0: os.exit(check.status(f))
function check.status(findings)
  return check.summary(findings).error > 0 and 1 or 0
end

--- check.names() --> { "coverage", … }
function check.names()
  local t = {}
  for i, n in ipairs(names) do t[i] = n end
  return t
end

rules = {}
local kinds = {}
for _, k in ipairs(P.kinds) do kinds[k.name] = k end

local function kind_of(name, fname)
  if kinds[name] == nil then
    local list = {}
    for _, k in ipairs(P.kinds) do list[#list + 1] = k.name end
    error(fname .. ": unknown rule kind '" .. tostring(name) .. "'; the kinds are " .. table.concat(list, ", "), 3)
  end
  return kinds[name]
end

-- Rule rows are rows of their table: they print and export in its column order.
local function rule_rows(kind, rows)
  local mt = { __name = "linkage.rule", __table = kinds[kind].table }
  for _, r in ipairs(rows) do setmetatable(r, mt) end
  return rows
end

--- rules.get(kind [, { as_of = DATE }]) --> the rows in force (default: linkage.as_of())
function rules.get(kind, opts)
  kind_of(kind, "rules.get")
  local day = type(opts) == "string" and opts or (type(opts) == "table" and opts.as_of) or P.as_of()
  local rows = call(P.rows, kind, day)
  return rule_rows(kind, rows)
end

--- rules.history(kind) --> every row, past and future, with valid_from and valid_until
function rules.history(kind)
  kind_of(kind, "rules.history")
  local rows = call(P.rows, kind, nil)
  return rule_rows(kind, rows)
end

--- rules.set(kind, { key fields, numbers, from = DATE [, note = TEXT] }) --> row id
function rules.set(kind, fields)
  kind_of(kind, "rules.set")
  if type(fields) ~= "table" or fields.from == nil then
    error("rules.set: give the rule and its numbers with from = DATE, such as rules.set('quota', { role = 'township_other', rural_households = 2, from = '2013-01-01' })", 2)
  end
  local f, from, note = {}, fields.from, fields.note
  for k, v in pairs(fields) do if k ~= "from" and k ~= "note" then f[k] = v end end
  local id = call(P.set, kind, f, from, note)
  return id
end

--- rules.stop(kind, { key fields, on = DATE }): from DATE the rule is no longer in force
function rules.stop(kind, fields)
  kind_of(kind, "rules.stop")
  if type(fields) ~= "table" or fields.on == nil then
    error("rules.stop: give the rule with on = DATE, such as rules.stop('setting', { name = 'household_cadres_max', on = '2014-01-01' })", 2)
  end
  local f = {}
  for k, v in pairs(fields) do if k ~= "on" then f[k] = v end end
  call(P.stop, kind, f, fields.on)
end

--- rules.kinds() --> { { name, table, title, keys, values }, … }
function rules.kinds()
  return P.kinds
end
