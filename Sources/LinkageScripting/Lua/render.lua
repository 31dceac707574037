-- How the console and `-e` show the values a chunk returns (TextModule.swift installs it as
-- linkage._render). Scalars as print shows them; tables pretty-printed; a record as its fields; a
-- list of rows, or a query, as an aligned table cut to the terminal's width. No masking here: the
-- caller prints through the masking output.
local host = ...
local host_width, host_truncate, schema_columns = host.width, host.truncate, host.columns

local M = {}

-- Most cells are plain ASCII: measure those without a call into Swift.
local function width(s)
  if not s:find("[\128-\255%c]") then return #s end
  return host_width(s)
end

-- The caller masks what it prints, but a resident ID or mobile number cut by "…" no longer
-- looks like one (and can show more digits than the mask would): mask text before cutting it,
-- unless the session shows personal data. Only runs of 11 or more digits can need it.
local function masked(s)
  local linkage = rawget(_G, "linkage")
  if type(linkage) ~= "table" or rawget(linkage, "show_pii") == true or not s:find("%d%d%d%d%d%d%d%d%d%d%d") then return s end
  local mask = rawget(linkage, "mask")
  return mask and mask(s) or s
end

local function truncate(s, n)
  if width(s) <= n then return s end
  return host_truncate(s, math.max(n, 0))
end


local function paint(on, code, s)
  if not on or s == "" then return s end
  return "\27[" .. code .. "m" .. s .. "\27[0m"
end
local BOLD, DIM = "1", "2"

-- getmetatable honours __metatable, which may be anything: only a table is a metatable here.
local function meta(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt or nil
end

local function is_query(v)
  local mt = type(v) == "userdata" and meta(v)
  return mt and rawget(mt, "__name") == "linkage.query" or false
end

local function record_table(v)
  local mt = type(v) == "table" and meta(v)
  local t = mt and rawget(mt, "__table")
  return type(t) == "string" and t or nil
end

-- A list of rows: a non-empty sequence (nothing else in it) of tables whose keys are all strings.
-- A list with a metatable is one only when the metatable says so (`__rows`, as a proposal of
-- assign.* does, whose methods live in the metatable).
local function is_rows(v)
  local n = #v
  if n == 0 or (meta(v) and not rawget(meta(v), "__rows")) then return false end
  local count = 0
  for _ in pairs(v) do count = count + 1 end
  if count ~= n then return false end
  for i = 1, n do
    local row = v[i]
    if type(row) ~= "table" or next(row) == nil then return false end
    for k in pairs(row) do if type(k) ~= "string" then return false end end
  end
  return true
end

local function kind(v)
  if is_query(v) then return "query" end
  if type(v) ~= "table" then return "scalar" end
  if record_table(v) then return "record" end
  local mt = meta(v)
  if mt and rawget(mt, "__tostring") then return "scalar" end
  if is_rows(v) then return "rows" end
  return "table"
end

-- Keys of the rows: the order their metatable declares (__columns, on the rows or on the list),
-- else a record's columns in its table's order, then any others (paths of a select) by name;
-- plain rows `id` first, the rest by name.
local function columns_of(rows)
  local seen, keys = {}, {}
  for _, r in ipairs(rows) do
    for k in pairs(r) do
      if not seen[k] then seen[k] = true; keys[#keys + 1] = k end
    end
  end
  local cols = {}
  local t = record_table(rows[1])
  -- rows that say their column order (findings: __columns in their metatable) keep it, and so
  -- does a list that says it for its rows (a proposal of assign.*)
  local mt = meta(rows[1])
  local declared = mt and rawget(mt, "__columns")
  if type(declared) ~= "table" then declared = meta(rows) and rawget(meta(rows), "__columns") end
  for _, c in ipairs(type(declared) == "table" and declared or t and schema_columns(t) or { "id" }) do
    if seen[c] then cols[#cols + 1] = c; seen[c] = false end
  end
  local rest = {}
  for _, k in ipairs(keys) do if seen[k] then rest[#rest + 1] = k end end
  table.sort(rest)
  table.move(rest, 1, #rest, #cols + 1, cols)
  return cols
end

-- Pretty-printing ----------------------------------------------------------------------------

local keywords = {}
for w in ("and break do else elseif end false for function goto if in local nil not or repeat return then true until while"):gmatch("%a+") do
  keywords[w] = true
end

local escapes = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ['"'] = '\\"', ["\\"] = "\\\\" }
local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return escapes[c] or ("\\%03d"):format(c:byte()) end) .. '"'
end

local function key_text(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") and not keywords[k] then return k end
  if type(k) == "string" then return "[" .. quote(k) .. "]" end
  if type(k) == "number" or type(k) == "boolean" then return "[" .. tostring(k) .. "]" end
  return "[<" .. type(k) .. ">]"
end

-- Numbers first, then strings, then the rest by type: a stable order for any keys.
local rank = { number = 1, string = 2, boolean = 3 }
local function key_before(a, b)
  local ra, rb = rank[type(a)] or 4, rank[type(b)] or 4
  if ra ~= rb then return ra < rb end
  if ra <= 2 then return a < b end
  if ra == 3 then return (not a) and b end
  return type(a) < type(b)
end

local pretty

-- A value inside a table; `used` is how many columns of the line are taken before it.
local function nested(v, opts, indent, depth, path, used)
  local t = type(v)
  if t == "string" then return quote(truncate(masked(v), math.max(opts.width - used - 3, 8))) end
  if t == "number" or t == "boolean" or t == "nil" then return tostring(v) end
  if is_query(v) then return "<query>" end
  if t == "table" then
    local mt = meta(v)
    if mt and rawget(mt, "__tostring") then return tostring(v) end
    return pretty(v, opts, indent, depth, path, used)
  end
  return "<" .. t .. ">"
end

-- A table on one line when it fits, else a field a line; `path` holds the tables being printed
-- (a table inside itself is a cycle), `depth` how deep this one is.
function pretty(t, opts, indent, depth, path, used)
  if path[t] then return "<cycle>" end
  if next(t) == nil then return "{}" end
  if depth >= opts.depth then return "{…}" end
  path[t] = true
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local keys = {}
  for k in pairs(t) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, key_before)
  local inner = indent .. "  "
  local parts, multiline = {}, false
  local function add(label, v)
    local s = nested(v, opts, inner, depth + 1, path, #inner + width(label))
    if s:find("\n") then multiline = true end
    parts[#parts + 1] = label .. s
  end
  for i = 1, n do add("", rawget(t, i)) end
  for _, k in ipairs(keys) do add(key_text(k) .. " = ", rawget(t, k)) end
  path[t] = nil
  local flat = "{ " .. table.concat(parts, ", ") .. " }"
  if not multiline and used + width(flat) + 1 <= opts.width then return flat end
  return "{\n" .. inner .. table.concat(parts, ",\n" .. inner) .. "\n" .. indent .. "}"
end

-- Cells ----------------------------------------------------------------------------------------

-- A line break shows as ↵ and a tab as a space, so a cell stays on its line; other control
-- characters (a terminal's escape sequences among them) are dropped.
local function clean(s)
  return (masked(s):gsub("\r\n", "↵"):gsub("[\r\n]", "↵"):gsub("\t", " "):gsub("%c", ""))
end

local function cell(v, opts)
  if v == nil then return "" end
  local t = type(v)
  if t == "string" then return clean(v) end
  if t == "table" then return clean(nested(v, { width = math.huge, depth = 1 }, "", 0, {}, 0)) end
  if t == "number" or t == "boolean" then return tostring(v) end
  return nested(v, opts, "", 0, {}, 0)
end

-- The width below which a column is not worth showing (unless its values are narrower).
local MIN_COLUMN = 6

-- Shares `avail` columns out: the narrow columns get what they need, the wide ones split the
-- rest equally (never less than one column each).
local function fit(natural, avail)
  local order = {}
  for i = 1, #natural do order[i] = i end
  table.sort(order, function(a, b) return natural[a] < natural[b] or (natural[a] == natural[b] and a < b) end)
  local widths, left = {}, avail
  for k, i in ipairs(order) do
    local share = math.max(1, left // (#order - k + 1))
    widths[i] = math.min(natural[i], share)
    left = left - widths[i]
  end
  return widths
end

-- An aligned table of the rows: `table` mode as columns under a dashed rule, `box` mode framed.
-- Numeric columns align right.
local function grid(rows, opts)
  local cols = columns_of(rows)
  local natural, numeric, cells = {}, {}, {}
  for j, c in ipairs(cols) do
    natural[j] = width(clean(c))
    numeric[j] = true
  end
  for i, r in ipairs(rows) do
    local line = {}
    for j, c in ipairs(cols) do
      local v = r[c]
      if v ~= nil and type(v) ~= "number" then numeric[j] = false end
      line[j] = cell(v, opts)
      natural[j] = math.max(natural[j], width(line[j]))
    end
    cells[i] = line
  end
  local box = opts.mode == "box"
  -- Columns from the left while each still gets a useful width (MIN, or less when it needs
  -- less); the ones past the edge are named under the table instead of squeezed to "…".
  local function frame(k) return box and 3 * k + 1 or 2 * (k - 1) end
  local k, least = 0, 0
  for j, n in ipairs(natural) do
    least = least + math.min(n, MIN_COLUMN)
    if j > 1 and least + frame(j) > opts.width then break end
    k = j
  end
  local widths = fit(table.move(natural, 1, k, 1, {}), opts.width - frame(k))
  local function row_text(texts, bold)
    local out = {}
    for j = 1, k do
      local s = truncate(texts[j], widths[j])
      local fill = string.rep(" ", widths[j] - width(s))
      s = paint(opts.color and bold, BOLD, s)
      out[j] = numeric[j] and (fill .. s) or (s .. fill)
    end
    if box then return paint(opts.color, DIM, "│ ") .. table.concat(out, paint(opts.color, DIM, " │ ")) .. paint(opts.color, DIM, " │") end
    return (table.concat(out, "  "):gsub(" +$", ""))
  end
  local function rule(left, mid, right, dash)
    local parts = {}
    for j, w in ipairs(widths) do parts[j] = string.rep(dash, box and w + 2 or w) end
    return paint(opts.color, DIM, left .. table.concat(parts, mid) .. right)
  end
  local header = {}
  for j, c in ipairs(cols) do header[j] = clean(c) end
  local lines = {}
  if box then lines[1] = rule("┌", "┬", "┐", "─") end
  lines[#lines + 1] = row_text(header, true)
  lines[#lines + 1] = box and rule("├", "┼", "┤", "─") or rule("", "  ", "", "-")
  for _, line in ipairs(cells) do lines[#lines + 1] = row_text(line, false) end
  if box then lines[#lines + 1] = rule("└", "┴", "┘", "─") end
  if k < #cols then
    local hidden = table.concat(header, ", ", k + 1)
    local more = #cols - k == 1 and "… 1 more column: " or ("… %d more columns: "):format(#cols - k)
    lines[#lines + 1] = paint(opts.color, DIM, truncate(more .. hidden, opts.width))
  end
  return table.concat(lines, "\n")
end

-- A row as `field = value` lines, names padded to one width (at most half the terminal).
local function vertical(r, opts, cols)
  cols = cols or columns_of({ r })
  local kw = 0
  for _, c in ipairs(cols) do kw = math.max(kw, width(clean(c))) end
  kw = math.min(kw, math.max(opts.width // 2, 1))
  local lines = {}
  for i, c in ipairs(cols) do
    local name = truncate(clean(c), kw)
    name = paint(opts.color, BOLD, name) .. string.rep(" ", kw - width(name))
    lines[i] = name .. " = " .. truncate(cell(r[c], opts), math.max(opts.width - kw - 3, 1))
  end
  return table.concat(lines, "\n")
end

-- Files: CSV as export.csv writes it (quoted when it must, formulas defused, booleans 1/0, a
-- record as its id) but with LF line ends; JSON and Markdown by export itself.
local function csv_field(v)
  if v == nil then return "" end
  if type(v) == "boolean" then v = v and 1 or 0 end
  if type(v) == "table" and math.type(rawget(v, "id")) == "integer" then v = rawget(v, "id") end
  if type(v) == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "" end
    return tostring(v)
  end
  local s = type(v) == "string" and v or cell(v, { width = math.huge, depth = 1 })
  if s:find("^[=+%-@\t\r]") then s = "'" .. s end
  if s:find('[,"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function csv(rows, cols)
  local lines = { {} }
  for j, c in ipairs(cols) do lines[1][j] = csv_field(c) end
  for i, r in ipairs(rows) do
    local line = {}
    for j, c in ipairs(cols) do line[j] = csv_field(r[c]) end
    lines[i + 1] = line
  end
  for i, line in ipairs(lines) do lines[i] = table.concat(line, ",") end
  return table.concat(lines, "\n")
end

-- rows: a list of tables, or a query (written whole: these modes are for copying and files).
local function as_file(rows, opts)
  if opts.mode == "csv" then
    if is_query(rows) then rows = rows:list() end
    if #rows == 0 then return "" end
    return csv(rows, columns_of(rows))
  end
  local export = rawget(_G, "export")
  if type(export) ~= "table" then error("render: " .. opts.mode .. " mode needs the export module", 2) end
  local text
  if is_query(rows) then text = export[opts.mode](rows)
  elseif #rows == 0 then text = export[opts.mode]({})
  else text = export[opts.mode](rows, { columns = columns_of(rows) }) end
  return (text:gsub("\n$", ""))
end

local function rows_in_all(total, shown, opts)
  if total > shown then return paint(opts.color, DIM, ("… %d rows in all"):format(total)) end
  return paint(opts.color, DIM, total == 1 and "1 row" or ("%d rows"):format(total))
end

local function one(v, opts)
  local k = kind(v)
  if k == "scalar" then return tostring(v) end
  if k == "table" then return pretty(v, opts, "", 0, {}, 0) end
  local files = opts.mode == "csv" or opts.mode == "json" or opts.mode == "markdown"
  if k == "record" then
    if files then return as_file({ v }, opts) end
    return vertical(v, opts)
  end
  if files then return as_file(v, opts) end
  local rows, footer = v, nil
  if k == "rows" and meta(v) and #v > opts.rows then
    -- A long list of its own kind (a proposal) shows its first rows, as a query does.
    rows = setmetatable(table.move(v, 1, opts.rows, 1, {}), meta(v))
    footer = rows_in_all(#v, #rows, opts)
  elseif k == "query" then
    local total = v:count()
    rows = total > 0 and v:limit(math.min(opts.rows, total)):list() or {}
    footer = rows_in_all(total, #rows, opts)
    if #rows == 0 then return footer end
  end
  local body
  if opts.mode == "line" then
    local cols, blocks = columns_of(rows), {}
    for i, r in ipairs(rows) do blocks[i] = vertical(r, opts, cols) end
    body = table.concat(blocks, "\n\n")
  else
    body = grid(rows, opts)
  end
  return footer and (body .. "\n" .. footer) or body
end

local modes = { table = true, box = true, csv = true, json = true, markdown = true, line = true }

-- render(values, opts) -> text without a final line break ("" for no values).
-- values: what a chunk returned, { n = count, ... }. opts: width (columns, 80), mode ("table",
-- "box", "csv", "json", "markdown" or "line"), color (false), rows (of a query, 20), depth (4).
function M.render(values, opts)
  opts = opts or {}
  local o = {
    width = math.max(math.tointeger(opts.width) or 80, 10), mode = opts.mode or "table", color = opts.color == true,
    rows = math.max(math.tointeger(opts.rows) or 20, 1), depth = math.max(math.tointeger(opts.depth) or 4, 1),
  }
  if not modes[o.mode] then error("render: the modes are table, box, csv, json, markdown and line; got " .. tostring(o.mode), 2) end
  local n = values.n or #values
  local structured = false
  for i = 1, n do
    if kind(values[i]) ~= "scalar" then structured = true end
  end
  local out = {}
  for i = 1, n do out[i] = structured and one(values[i], o) or tostring(values[i]) end
  return table.concat(out, structured and "\n" or "\t")
end

return M
