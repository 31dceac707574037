-- The Lua half of the query API: record metatables (relations, methods, helpful errors) built on
-- the Swift primitives of QueryModule, which passes them in as `...`. Written in Lua because it
-- composes queries the way a user would, and because code that calls back into Lua belongs in Lua,
-- not in a Swift frame. Returns the record metatables by table name.
local P = ...
local C = P.collections

-- Related records are read once per id and kept until the register changes, so a loop over
-- 7,790 households reading h.village.name reads each village once.
local cache, stamp = {}, -1
local function related(tbl, id)
  if id == nil then return nil end
  local now = P.changes()
  if now ~= stamp then cache, stamp = {}, now end
  local t = cache[tbl]
  if not t then t = {}; cache[tbl] = t end
  local r = t[id]
  if r == nil then r = P.get(tbl, id) or false; t[id] = r end
  return r or nil
end

local function date_of(opts)
  if type(opts) == "string" then return opts end
  if type(opts) == "table" then return opts.as_of or opts.date end
  return nil
end

-- Relations to many rows are declared in the model (Catalog.recordRelations), which also makes
-- their SQL: P.related returns the query. Through link, the argument is a date (or { as_of = … },
-- default linkage.as_of()); by foreign key, an optional filter, whose as_of asks for active rows.
local function relation_method(tname, name, dated)
  if dated then
    return function(self, opts) return P.related(tname, name, self.id, date_of(opts)) end
  end
  return function(self, filter)
    local q = P.related(tname, name, self.id)
    if type(filter) == "table" then
      local rest, any = {}, false
      for k, v in pairs(filter) do
        if k == "as_of" then q = q:active(v) else rest[k] = v; any = true end
      end
      if any then q = q:where(rest) end
    end
    return q
  end
end

-- A quota passed on purpose (allow_over_quota): the link is made and the excess said on stderr.
local function say_warnings(warnings)
  for _, w in ipairs(warnings or {}) do io.stderr:write("warning: ", w, "\n") end
end

local function link_method(kind)
  return function(self, target, opts)
    if type(target) ~= "table" or target.id == nil then
      error("link: give the record to link (a household, village or community)", 2)
    end
    local mt = getmetatable(target)
    local what = mt and mt.__table
    if what ~= "household" and what ~= "village" then
      error("link: a " .. kind .. " links households, villages and communities, not " .. tostring(what), 2)
    end
    local allow = type(opts) == "table" and opts.allow_over_quota == true
    local l, warnings = P.link(kind, self.id, what, target.id, date_of(opts) or (type(opts) == "table" and opts.since) or nil, allow)
    say_warnings(warnings)
    return l
  end
end

-- The places left of a cadre's quota (or a unit's poor villages) on a date (Quota).
local function spare_quota(kind)
  return function(self, opts) return P.spare_quota(kind, self.id, date_of(opts)) end
end

-- Who held a household or village, from when to when, and why it changed: rows in that order.
local history_columns = { "from", "to", "linker", "unit", "reason", "successor", "note", "linker_table", "linker_id", "successor_id", "link" }
local function history(kind)
  return function(self)
    return setmetatable(P.history(kind, self.id), { __rows = true, __columns = history_columns })
  end
end

-- The methods that are not relations.
local methods = {
  household = {
    report_problem = function(self, opts) return P.report_problem("household", self.id, opts) end,
  },
  village = {
    report_problem = function(self, opts) return P.report_problem("village", self.id, opts) end,
  },
  area = {
    contact_card = function(self, opts) return P.material("contact_card", self, opts) end,
    linkage_log = function(self, opts) return P.material("linkage_log", self, opts) end,
  },
  unit = {
    link = link_method("unit"),
    spare_quota = spare_quota("unit"),
    contact_card = function(self, opts) return P.material("contact_card", self, opts) end,
    linkage_log = function(self, opts) return P.material("linkage_log", self, opts) end,
  },
  cadre = {
    link = link_method("cadre"),
    spare_quota = spare_quota("cadre"),
    -- handover(successor or nil, { date, reason, left = true | left_on = date, allow_over_quota })
    --   --> links moved, the successor
    handover = function(self, successor, opts)
      if successor ~= nil and (type(successor) ~= "table" or successor.id == nil) then
        error("handover: give the successor cadre record, or nil for the least-loaded eligible colleague of the same unit", 2)
      end
      opts = opts or {}
      local left = opts.left_on or (opts.left == true) or nil
      local moved, to, warnings = P.handover(self.id, successor and successor.id, opts.date, opts.reason or "其他",
        left, opts.allow_over_quota == true)
      say_warnings(warnings)
      if left then
        local fresh = P.get("cadre", self.id)
        for k in pairs(self) do self[k] = nil end
        for k, v in pairs(fresh) do self[k] = v end
      end
      return moved, related("cadre", to)
    end,
    contact_card = function(self, opts) return P.material("contact_card", self, opts) end,
    linkage_log = function(self, opts) return P.material("linkage_log", self, opts) end,
  },
  link = {
    close = function(self, opts)
      opts = opts or {}
      local fresh = P.end_link(self.id, opts.date, opts.reason or "其他")
      for k in pairs(self) do self[k] = nil end
      for k, v in pairs(fresh) do self[k] = v end
      return self
    end,
  },
  -- 问题上报: each step is checked and written by the model, and refreshes the record in place
  problem = {
    escalate = function(self, opts) return P.escalate_problem(self, opts) end,
    follow_up = function(self, opts) return P.follow_up_problem(self, opts) end,
    close = function(self, opts) return P.close_problem(self, opts) end,
    followups = function(self) return P.problem_followups(self.id) end,
  },
}

methods.household.history = history("household")
methods.village.history = history("village")

-- Loops over queries: rows arrive in batches (see db.rows). `for r in q do` calls the query
-- itself as the iterator; a loop that starts (control nil) opens a new cursor.
local batches = linkage._batches
local query_mt = getmetatable(C.households)
local query_methods = rawget(query_mt, "__methods")
local open = query_methods._open
query_methods._open = nil
query_methods.each = function(q)
  local fetch, cursor = open(q)
  return batches(fetch), nil, nil, cursor
end
local loops = setmetatable({}, { __mode = "k" })
query_mt.__call = function(q, _, control)
  local it = loops[q]
  if control == nil or it == nil then
    it = batches((open(q)))
    loops[q] = it
  end
  local r = it()
  if r == nil then loops[q] = nil end
  return r
end

local metatables = {}
for _, tname in ipairs(P.tables) do
  local columns = {}
  for _, c in ipairs(P.columns(tname)) do columns[c] = true end
  local relations, many = P.relations(tname)
  local own = methods[tname] or {}
  methods[tname] = own
  for name, rel in pairs(many) do own[name] = relation_method(tname, name, rel.dated) end
  local valid = {}
  for c in pairs(columns) do valid[#valid + 1] = c end
  for r in pairs(relations) do valid[#valid + 1] = r end
  for m in pairs(own) do valid[#valid + 1] = m .. "()" end
  valid[#valid + 1] = "update()"
  table.sort(valid)
  valid = table.concat(valid, ", ")

  local mt = { __name = "record:" .. tname, __table = tname }
  own.update = function(self, fields)
    local fresh = P.update(tname, self.id, fields)
    for k in pairs(self) do self[k] = nil end
    for k, v in pairs(fresh) do self[k] = v end
    return self
  end
  mt.__index = function(rec, key)
    local rel = relations[key]
    if rel then return related(rel.table, rawget(rec, rel.column)) end
    local m = own[key]
    if m then return m end
    if columns[key] then return nil end
    local named = type(key) == "string" and ("'" .. key .. "'") or ("a " .. type(key) .. " key")
    error(("unknown field %s of %s; valid: %s"):format(named, tname, valid), 2)
  end
  local label = ({ household = "head_name", cadre = "name", area = "name", village = "name", unit = "name" })[tname]
  mt.__tostring = function(rec)
    local name = label and rawget(rec, label)
    return tname .. " " .. tostring(rawget(rec, "id")) .. (name and (" " .. name) or "")
  end
  metatables[tname] = mt
end

-- help(): by name, by collection, by function, by record. Functions map to catalog keys; a key
-- the catalog documents under another name (unlinked under linked) is resolved by HelpCatalog.
local help_of = {}
local keys = {}
for _, k in ipairs(P.help_keys()) do keys[k] = true end
for name in pairs(db) do help_of[db[name]] = "db." .. name end
local function later_modules()
  -- export and import are installed after this prelude; look them up when help is asked.
  for _, m in ipairs({ "export", "import", "assign" }) do
    local t = rawget(_G, m)
    if type(t) == "table" then
      for name, f in pairs(t) do help_of[f] = m .. "." .. name end
    end
  end
  -- the methods of a proposal (assign.lua), documented under assign.proposal
  for name, f in pairs(rawget(_G, "assign") and assign._methods or {}) do help_of[f] = "assign." .. name end
  -- and so are linkage.width and linkage.truncate (TextModule)
  for _, name in ipairs({ "width", "truncate" }) do
    if linkage[name] then help_of[linkage[name]] = "linkage." .. name end
  end
end
for k, f in pairs(query_methods) do
  if type(f) == "function" and k:sub(1, 1) ~= "_" then help_of[f] = k end
end
local record_methods = {}
for tname in pairs(metatables) do
  local own = methods[tname]
  local names = {}
  -- by table too: households is a relation through links on a cadre, by foreign key on a village
  for m, f in pairs(own) do help_of[f] = "record:" .. tname .. ":" .. m; names[#names + 1] = m end
  table.sort(names)
  record_methods[tname] = names
end

-- The help of a collection lists its fields: the columns come from the register, and a virtual
-- field counts when the query itself accepts it (VirtualField decides, not a copy of its rule).
local function collection_help(q)
  local name = q.name
  local sample = C[name]
  local columns = P.columns(P.help_text("\ntable\n" .. name))
  local virtual = {}
  for v in P.help_text("\nvirtual"):gmatch("%S+") do
    if pcall(sample.where, sample, { [v] = (v == "year") and 2000 or true }) then virtual[#virtual + 1] = v end
  end
  return P.help_text("\ncollection\n" .. name .. "\n" .. table.concat(columns or {}, " ") .. "\n" .. table.concat(virtual, " "))
end

local function record_help(rec)
  local tname = getmetatable(rec).__table
  return P.help_text("\nrecord\n" .. tname .. "\n" .. table.concat(P.columns(tname), " ") .. "\n" ..
    table.concat(record_methods[tname] or {}, " "))
end
linkage = linkage or {}
linkage.as_of = P.as_of
linkage.now = P.now

-- linkage.width is the one display width of the code base (LinkageModel's, installed by
-- TextModule): Chinese characters and emoji count two columns, combining marks none.
function linkage.pad(s, n, right)
  s = tostring(s)
  local fill = string.rep(" ", math.max(0, n - linkage.width(s)))
  return right and (fill .. s) or (s .. fill)
end
help_of[linkage.as_of] = "linkage.as_of"
help_of[linkage.now] = "linkage.now"
help_of[linkage.pad] = "linkage.pad"
function help(x)
  later_modules()
  if type(x) == "string" and C[x] then x = C[x] end
  local key
  if x == nil then key = nil
  elseif type(x) == "string" then key = x
  elseif help_of[x] then key = help_of[x]
  elseif type(x) == "userdata" and tostring(getmetatable(x) and getmetatable(x).__name) == "linkage.query" then
    print(collection_help(x))
    return
  elseif type(x) == "table" and getmetatable(x) and getmetatable(x).__name == "linkage.proposal" then
    key = "assign.proposal"
  elseif type(x) == "table" and getmetatable(x) and getmetatable(x).__table then
    print(record_help(x))
    return
  else
    print("no help for a " .. type(x) .. "; try help()")
    return
  end
  print(P.help_text(key))
end
return metatables
