-- Correct one household column in bulk from a spreadsheet saved as CSV (UTF-8): a resident_id column
-- and a column named after the field to fix. All rows are checked first; one bad row and nothing
-- changes (the run is one transaction).
--   linkage run --dry-run samples/fix-column-from-csv.lua incomes.csv income   (preview)
--   linkage run samples/fix-column-from-csv.lua incomes.csv income
local path, field = ...
if not (path and field) then
  io.stderr:write("usage: linkage run samples/fix-column-from-csv.lua FILE.csv FIELD\n")
  os.exit(2)
end

-- A small CSV reader: quoted fields, doubled quotes, a UTF-8 BOM.
local function split(line)
  local fields, i, n = {}, 1, #line
  while i <= n + 1 do
    if line:sub(i, i) == '"' then
      local value, j = {}, i + 1
      while true do
        local q = line:find('"', j, true) or error(path .. ": unterminated quote in: " .. line)
        value[#value + 1] = line:sub(j, q - 1)
        if line:sub(q + 1, q + 1) == '"' then value[#value + 1] = '"'; j = q + 2 else i = q + 2; break end
      end
      fields[#fields + 1] = table.concat(value)
    else
      local comma = line:find(",", i, true) or (n + 1)
      fields[#fields + 1] = line:sub(i, comma - 1)
      i = comma + 1
    end
  end
  return fields
end

local file = io.open(path) or error("cannot open " .. path)
local header = split((file:read("l") or ""):gsub("^\239\187\191", ""):gsub("\r$", ""))
local id_col, value_col
for i, name in ipairs(header) do
  if name == "resident_id" or name == "身份证号" then id_col = i end
  if name == field then value_col = i end
end
assert(id_col and value_col, path .. ":1: needs the columns resident_id and " .. field)

local changed, line_no = 0, 1
for line in file:lines() do
  line_no = line_no + 1
  line = line:gsub("\r$", "")
  if line ~= "" then
    local cells = split(line)
    local h = households:find{ resident_id = cells[id_col]:upper() }
      or error(("%s:%d:%d: no household with resident ID %s"):format(path, line_no, id_col, cells[id_col]))
    local value = cells[value_col]
    value = tonumber(value) or (value ~= "" and value or nil)
    local ok, err = pcall(h.update, h, { [field] = value })
    if not ok then error(("%s:%d:%d: %s"):format(path, line_no, value_col, err), 0) end
    changed = changed + 1
  end
end
file:close()
print(("%s: set %s of %d households"):format(path, field, changed))
