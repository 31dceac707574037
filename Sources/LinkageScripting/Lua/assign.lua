-- assign.households{…}, assign.villages{…}, assign.all{…}: proposals of new links from the
-- model's strategy (LinkageModel's Assignment, in Swift: it is set-based and fast). A proposal is
-- a list of entries { linker, target, kind, area, reason } that prints as a table, can be
-- filtered and edited like any list, and is made with proposal:apply(), all or nothing, through
-- the checks of every link. AssignModule passes the primitives in as `...`.
local propose, apply, get, records = ...

-- An entry's linker and target are stubs: { id = n } standing for the record until a field is
-- asked for, then the record itself (its metatable swapped in), so a province's million entries
-- do not read a million records.
local function load(stub, tname)
  local full = get(tname, rawget(stub, "id"))
  setmetatable(stub, records[tname])
  if full then
    for k, v in pairs(full) do rawset(stub, k, v) end
  end
  return stub
end
local stubs = {}
-- The table of each metatable an entry's linker or target may have (records' and stubs'),
-- for apply, which reads a million entries without calling into Lua.
local tables = {}
for tname, mt in pairs(records) do
  stubs[tname] = {
    __name = "record:" .. tname, __table = tname,
    __index = function(stub, key) return load(stub, tname)[key] end,
    __tostring = function(stub) return tostring(load(stub, tname)) end,
  }
  tables[mt], tables[stubs[tname]] = tname, tname
end

local function rows(list, columns)
  return setmetatable(list, { __rows = true, __columns = columns })
end

local say = function(warnings)
  local n = #warnings
  for i = 1, math.min(n, 20) do io.stderr:write("warning: ", warnings[i], "\n") end
  if n > 20 then io.stderr:write(("warning: … and %d more over their quota; `linkage check --only coverage,quotas` lists them all\n"):format(n - 20)) end
end

local methods = {}
local columns = { "linker", "target", "kind", "area", "reason" }

local function proposal(list, info)
  local index = { as_of = info.as_of, uncovered = info.uncovered, unfilled = info.unfilled }
  for k, f in pairs(methods) do index[k] = f end
  return setmetatable(list, { __name = "linkage.proposal", __rows = true, __columns = columns, __index = index })
end

-- proposal:apply{ allow_over_quota = true } --> links made: every entry, or none.
function methods.apply(self, opts)
  if type(opts) ~= "nil" and type(opts) ~= "table" then error("apply{ allow_over_quota = true }: give options as a table", 2) end
  local made, warnings = apply(self, self.as_of, opts ~= nil and opts.allow_over_quota == true, tables)
  say(warnings)
  return made
end

-- proposal:filter(function(entry) return … end) --> a proposal of the entries kept.
function methods.filter(self, keep)
  if type(keep) ~= "function" then error("filter: give a function of an entry that returns true to keep it", 2) end
  local kept = {}
  for _, e in ipairs(self) do
    if keep(e) then kept[#kept + 1] = e end
  end
  return proposal(kept, { as_of = self.as_of, uncovered = self.uncovered, unfilled = self.unfilled })
end

-- proposal:summary() --> "7,948 links proposed for 2012-03-01: …", with what stays uncovered.
function methods.summary(self)
  local by, order = {}, {}
  for _, e in ipairs(self) do
    local k = e.kind or "other"
    if not by[k] then by[k] = 0; order[#order + 1] = k end
    by[k] = by[k] + 1
  end
  local parts = {}
  for _, k in ipairs(order) do
    local plural = by[k] == 1 and k or (k:match("y$") and (k:sub(1, -2) .. "ies") or (k .. "s"))
    parts[#parts + 1] = ("%d %s"):format(by[k], plural)
  end
  local lines = { ("%d links proposed for %s%s"):format(#self, self.as_of, #parts > 0 and (": " .. table.concat(parts, ", ")) or "") }
  for _, u in ipairs(self.uncovered) do lines[#lines + 1] = ("uncovered: %d %s: %s"):format(u.count, u.what, u.reason) end
  for _, u in ipairs(self.unfilled) do lines[#lines + 1] = ("unfilled: %d places of %s: %s"):format(u.count, u.what, u.reason) end
  if #self.uncovered == 0 then lines[#lines + 1] = "uncovered: none" end
  return table.concat(lines, "\n")
end

-- Options of the three functions, and what each kind of list must be a query of.
local valid = { as_of = true, households = true, villages = true, cadres = true, units = true, fill = true, open_units = true }
local of = { households = { households = true }, villages = { villages = true, communities = true }, cadres = { cadres = true }, units = { units = true } }

-- The ids of a query of the right collection, or of a list of records.
local function ids(name, x)
  if x == nil then return nil end
  local mt = getmetatable(x)
  if type(x) == "userdata" and type(mt) == "table" and mt.__name == "linkage.query" then
    if not of[name][x.name] then
      error(("%s: give a query of %s, not of %s"):format(name, next(of[name]), tostring(x.name)), 4)
    end
    return x:pluck("id")
  end
  if type(x) == "table" then
    local out = {}
    for i, r in ipairs(x) do
      local id = type(r) == "table" and rawget(r, "id") or nil
      if math.type(id) ~= "integer" then error(("%s: entry %d is not a record"):format(name, i), 4) end
      out[i] = id
    end
    return out
  end
  error(("%s: give a query (%s:where{ … }) or a list of records"):format(name, next(of[name])), 4)
end

local function run(scope, opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then error(("assign.%s{ as_of = date, … }: give the options as a table"):format(scope), 3) end
  for k in pairs(opts) do
    if not valid[k] then
      local names = {}
      for n in pairs(valid) do names[#names + 1] = n end
      table.sort(names)
      error(("assign.%s: unknown option '%s'; the options are %s"):format(scope, tostring(k), table.concat(names, ", ")), 3)
    end
  end
  local d = opts.as_of or linkage.as_of()
  local list, uncovered, unfilled = propose(scope, {
    as_of = d, fill = opts.fill, open_units = opts.open_units,
    households = ids("households", opts.households), villages = ids("villages", opts.villages),
    cadres = ids("cadres", opts.cadres), units = ids("units", opts.units),
  }, stubs)
  local shortfall = { "what", "count", "reason" }
  return proposal(list, { as_of = d, uncovered = rows(uncovered, shortfall), unfilled = rows(unfilled, shortfall) })
end

assign = {
  households = function(opts) return run("households", opts) end,
  villages = function(opts) return run("villages", opts) end,
  all = function(opts) return run("all", opts) end,
  -- for help(): the methods of a proposal
  _methods = methods,
}
