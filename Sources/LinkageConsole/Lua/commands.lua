-- The console's commands that read the register, as functions; their results are shown like any
-- chunk's.
local M = {}

-- :tables — each table of the register and its rows.
function M.tables()
  local out = {}
  for _, t in ipairs(db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")) do
    out[#out + 1] = { table = t.name, rows = db.value('SELECT count(*) FROM "' .. t.name:gsub('"', '""') .. '"') }
  end
  return out
end

-- :schema [name] — the SQL of one table (with its indexes and triggers), or of everything.
function M.schema(name)
  local lines = {}
  local sql = name
    and "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND (name = ? OR tbl_name = ?) ORDER BY type DESC, name"
    or "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name"
  for r in db.rows(sql, name and { name, name } or nil) do lines[#lines + 1] = r.sql .. ";" end
  if #lines == 0 and name then error("no table named '" .. name .. "' (:tables lists them)", 0) end
  print(table.concat(lines, "\n"))
end

return M
