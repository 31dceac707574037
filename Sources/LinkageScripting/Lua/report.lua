-- report.*: reports made by scripts, written as the built-in ones are (one HTML page, an XLSX
-- workbook with a sheet per section, or Markdown). ReportModule passes its primitives as `...`.
-- A report is a plain table (title, subtitle, sections of blocks, notes) with methods, so a
-- script may also read and change a built-in report before writing it.
local P = ...

-- Calls a primitive. Its errors already name the script's line (the bridge skips linkage's own
-- chunks), so they are raised again as they are.
local function call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

local Report = { __name = "linkage.report" }
Report.__index = Report

local function check_options(opts, fname, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error(fname .. ": give options as a table", 3) end
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for n in pairs(allowed) do names[#names + 1] = n end
      table.sort(names)
      error(fname .. ": unknown option '" .. tostring(k) .. "'; the options are " .. table.concat(names, ", "), 3)
    end
  end
  return opts
end

local function set(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

report = {}

--- report.new{ title = "…", subtitle = "…" } --> a report to add sections to
function report.new(opts)
  if type(opts) == "string" then opts = { title = opts } end
  opts = check_options(opts, "report.new", set { "title", "subtitle" })
  if type(opts.title) ~= "string" or opts.title == "" then error("report.new: give the report a title, such as report.new{ title = '脱贫攻坚周报' }", 2) end
  return setmetatable({ title = opts.title, subtitle = opts.subtitle, sections = {}, notes = {} }, Report)
end

--- report.builtin(name, { year =, as_of =, area = }) --> the built-in report, to write or extend
function report.builtin(name, opts)
  opts = check_options(opts, "report.builtin", set { "year", "as_of", "area" })
  return setmetatable(call(P.builtin, name, opts.year, opts.as_of, opts.area), Report)
end

report.names = P.names

local function current(self)
  if #self.sections == 0 then self:section(self.title) end
  return self.sections[#self.sections]
end

--- r:section(title [, { sheet = "name" }]) --> r; what follows goes in this section (an XLSX sheet)
function Report:section(title, opts)
  opts = check_options(opts, "section", set { "sheet" })
  if type(title) ~= "string" or title == "" then error("section: give the section a title", 2) end
  self.sections[#self.sections + 1] = { title = title, sheet = opts.sheet, blocks = {} }
  return self
end

--- r:text(s) --> r; a paragraph
function Report:text(s)
  if type(s) ~= "string" then error("text: a string expected, got " .. type(s), 2) end
  local blocks = current(self).blocks
  blocks[#blocks + 1] = { kind = "text", text = s }
  return self
end

--- r:figure(label, value [, { format =, note =, tone = 'good'|'bad' }]) --> r; a headline number
function Report:figure(label, value, opts)
  opts = check_options(opts, "figure", set { "format", "note", "tone" })
  if type(label) ~= "string" then error("figure: give a label, then the value", 2) end
  if opts.tone ~= nil and opts.tone ~= "good" and opts.tone ~= "bad" and opts.tone ~= "neutral" then
    error("figure: tone is good, bad or neutral", 2)
  end
  call(P.format, opts.format)
  local blocks = current(self).blocks
  local last = blocks[#blocks]
  if not (last and last.kind == "figures") then
    last = { kind = "figures", items = {} }
    blocks[#blocks + 1] = last
  end
  last.items[#last.items + 1] = { label = label, value = value, format = opts.format, note = opts.note, tone = opts.tone }
  return self
end

--- r:table(rows [, { title =, columns = {…}, formats = { col = 'percent:1' }, totals = true, limit = n }]) --> r
--- rows: a query (households:where{…}), a grouped result, findings or any list of rows.
function Report:table(rows, opts)
  opts = check_options(opts, "table", set { "title", "columns", "formats", "totals", "limit" })
  local t = call(P.rows, rows, opts.columns)
  local formats = opts.formats or {}
  local columns = {}
  for i, name in ipairs(t.columns) do
    call(P.format, formats[name])
    columns[i] = { name = name, format = formats[name] }
  end
  local block = { kind = "table", title = opts.title, columns = columns, rows = t.rows, omitted = 0 }
  if opts.limit and #t.rows > opts.limit then
    local kept = {}
    for i = 1, opts.limit do kept[i] = t.rows[i] end
    block.rows, block.omitted = kept, #t.rows - opts.limit
  end
  if opts.totals == true then
    local totals = {}
    for c = 1, #columns do
      local sum, numeric = 0, false
      for _, row in ipairs(t.rows) do
        if math.type(row[c]) then sum, numeric = sum + row[c], true end
      end
      totals[c] = numeric and sum or (c == 1 and "合计" or "")
    end
    block.totals = totals
  elseif type(opts.totals) == "table" then
    block.totals = opts.totals
  end
  local blocks = current(self).blocks
  blocks[#blocks + 1] = block
  return self
end

--- r:chart{ kind = 'bar'|'stacked_bar'|'line', title =, categories = {…}, series = { { name =, values = {…} } }, format = }
--- or from rows: r:chart{ kind =, title =, rows = q, category = 'township', values = { 'households', … } } --> r
function Report:chart(opts)
  opts = check_options(opts, "chart", set { "kind", "title", "categories", "series", "rows", "category", "values", "format" })
  local kinds = { bar = "bar", stacked_bar = "stackedBar", line = "line" }
  if not kinds[opts.kind or "bar"] then error("chart: kind is bar, stacked_bar or line", 2) end
  call(P.format, opts.format)
  local categories, series = opts.categories, opts.series
  if opts.rows ~= nil then
    if type(opts.category) ~= "string" or type(opts.values) ~= "table" then
      error("chart: with rows, name the category column (category = 'township') and the value columns (values = { 'households' })", 2)
    end
    local wanted = { opts.category }
    for _, v in ipairs(opts.values) do wanted[#wanted + 1] = v end
    local t = call(P.rows, opts.rows, wanted)
    categories, series = {}, {}
    for i, name in ipairs(opts.values) do series[i] = { name = name, values = {} } end
    for r, row in ipairs(t.rows) do
      categories[r] = tostring(row[1])
      for i = 1, #opts.values do series[i].values[r] = tonumber(row[i + 1]) or 0 end
    end
  end
  if type(categories) ~= "table" or type(series) ~= "table" then
    error("chart: give categories = { … } and series = { { name = …, values = { … } } }, or rows, category and values", 2)
  end
  local blocks = current(self).blocks
  blocks[#blocks + 1] = { kind = "chart", chart = opts.kind or "bar", title = opts.title or "", categories = categories, series = series, format = opts.format }
  return self
end

--- r:note(s) --> r; how a number is counted, printed at the end
function Report:note(s)
  if type(s) ~= "string" then error("note: a string expected, got " .. type(s), 2) end
  self.notes[#self.notes + 1] = s
  return self
end

--- r:html() --> the page as a string; r:markdown() --> Markdown
function Report:html() return call(P.render, self, "html") end
function Report:markdown() return call(P.render, self, "markdown") end

--- r:write(path) --> path; .html, .xlsx or .md by the name's extension
function Report:write(path)
  if type(path) ~= "string" then error("write: give a file name ending in .html, .xlsx or .md", 2) end
  call(P.write, self, path)
  return path
end

Report.__tostring = function(self) return call(P.render, self, "markdown") end
