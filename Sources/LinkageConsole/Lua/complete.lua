-- Tab completion for the console. Receives the console's commands and the help catalog's keys;
-- returns complete(before, word): the candidates that replace `word`, the text being completed,
-- given `before`, the line up to the cursor. Values run no code: a chain of names is looked up
-- field by field, never called.
local commands, help_keys = ...

local tables = {
  areas = "area", villages = "village", communities = "village", households = "household",
  units = "unit", cadres = "cadre", links = "link", visits = "visit", activities = "activity",
  problems = "problem", surveys = "survey",
}
local keywords = { "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto",
  "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while" }

-- Collection methods are the help catalog's one-word keys; record methods its "record:x" keys.
local collection_methods, record_methods = {}, {}
for _, k in ipairs(help_keys) do
  if k:match("^[%a_]+$") and k ~= "collection" and k ~= "record" then collection_methods[#collection_methods + 1] = k end
  local m = k:match("^record:([%a_]+)$")
  if m then record_methods[#record_methods + 1] = m end
end

local function with_prefix(names, prefix, decorate)
  local out, seen = {}, {}
  for _, n in ipairs(names) do
    if type(n) == "string" and n:sub(1, #prefix) == prefix and not seen[n] then
      seen[n] = true
      out[#out + 1] = decorate and decorate(n) or n
    end
  end
  table.sort(out)
  return out
end

local function columns(tbl)
  local out = {}
  for _, r in ipairs(db.query("SELECT name FROM pragma_table_info(?)", tbl)) do out[#out + 1] = r.name end
  return out
end

local function like(prefix) return (prefix:gsub("[\\%%_]", "\\%0")) .. "%" end

-- The values of a field that begin with `prefix`: place names for township and the like, else the
-- column's own values.
local function values(coll, field, prefix)
  local tbl = tables[coll]
  if not tbl then return {} end
  local sql, args
  if field == "township" or field == "subdistrict" then
    sql, args = "SELECT name FROM area WHERE kind = ? AND name LIKE ? ESCAPE '\\' ORDER BY code LIMIT 50", { field, like(prefix) }
  elseif field == "village" or field == "community" then
    sql, args = "SELECT name FROM village WHERE kind = ? AND name LIKE ? ESCAPE '\\' ORDER BY code LIMIT 50", { field, like(prefix) }
  elseif field == "unit" then
    sql, args = "SELECT name FROM unit WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT 50", { like(prefix) }
  else
    local known = false
    for _, c in ipairs(columns(tbl)) do if c == field then known = true end end
    if not known then return {} end
    sql, args = ("SELECT DISTINCT %q FROM %q WHERE %q LIKE ? ESCAPE '\\' LIMIT 50"):format(field, tbl, field), { like(prefix) }
  end
  local out = {}
  for _, r in ipairs(db.query(sql, args)) do
    local _, v = next(r)
    if v ~= nil then out[#out + 1] = tostring(v) end
  end
  return out
end

-- The names after `.` or `:` of a value.
local function members(v, sep)
  local names = {}
  local mt = getmetatable(v)
  local name = type(mt) == "table" and rawget(mt, "__name")
  if type(name) == "string" and name == "linkage.query" then
    return collection_methods
  end
  if type(name) == "string" and name:match("^record:") then
    if sep == ":" then return record_methods end
    for _, c in ipairs(columns(name:sub(8))) do names[#names + 1] = c end
    return names
  end
  if type(v) == "table" then
    for k in pairs(v) do names[#names + 1] = k end
    local index = type(mt) == "table" and rawget(mt, "__index")
    if type(index) == "table" then for k in pairs(index) do names[#names + 1] = k end end
  elseif type(v) == "string" and sep == ":" then
    for k in pairs(string) do names[#names + 1] = k end
  end
  return names
end

local function lookup(chain)
  local v = _G
  for part in chain:gmatch("[^%.]+") do
    if type(v) ~= "table" then return nil end
    v = rawget(v, part)
  end
  return v
end

return function(before, word)
  if before:match("^%s*:[%w]*$") then return with_prefix(commands, word) end
  -- inside where{ field = "… or find{ field = "…: the register's values
  local coll, field, prefix = before:match("([%a_][%w_]*)%s*:%s*[%a_]+%s*{[^}]-([%a_][%w_]*)%s*=%s*[\"']([^\"']*)$")
  if coll then return with_prefix(values(coll, field, prefix), prefix) end
  local chain, sep, partial = word:match("^([%a_][%w_%.]*)([%.:])([%w_]*)$")
  if chain then
    local v = lookup(chain)
    if v == nil then return {} end
    return with_prefix(members(v, sep), partial, function(n) return chain .. sep .. n end)
  end
  local names = {}
  for k in pairs(_G) do names[#names + 1] = k end
  for _, k in ipairs(keywords) do names[#names + 1] = k end
  return with_prefix(names, word)
end
