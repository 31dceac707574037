-- The Lua half of the `db` module (DatabaseModule passes its two raw primitives in as `...`).
-- Nested transactions are savepoints: written in Lua so the user's function runs under Lua's own
-- pcall, never inside a Swift frame.
local savepoint, raw_rows = ...   -- savepoint("begin") -> name; savepoint("release"|"rollback", name)
                                  -- raw_rows(sql, ...) -> fetch(buffer) -> n, cursor

-- Rows cross from Swift in batches (RowCursor.fill); handing them out one by one is Lua's
-- work, which costs far less than a call into Swift per row.
local function batches(fetch)
  local buffer, i, n = {}, 0, 0
  return function()
    i = i + 1
    if i > n then
      n = fetch(buffer)
      if n == 0 then return nil end
      i = 1
    end
    return buffer[i]
  end
end
linkage = linkage or {}
linkage._batches = batches

function db.rows(sql, ...)
  local fetch, cursor = raw_rows(sql, ...)
  return batches(fetch), nil, nil, cursor  -- the cursor closes when the loop ends or breaks
end

function db.transaction(fn, ...)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'db.transaction' (function expected, got " .. type(fn) .. ")", 2)
  end
  local name = savepoint("begin")
  local results = table.pack(pcall(fn, ...))
  if results[1] then
    savepoint("release", name)
    return table.unpack(results, 2, results.n)
  end
  savepoint("rollback", name)
  error(results[2], 0)
end
