-- --safe: a colleague's script runs without the means to reach beyond the register and the
-- working directory. No processes, no C code, no debug library (it could remove the limits'
-- hook or reach linkage's internals), no binary chunks (crafted bytecode can crash Lua), and no
-- file written outside the working directory. Reading files, exports and reports still work.
local may_write = ...   -- function(path) -> nil, or why it may not be written ("cannot write PATH: …")

local function refuse(name)
  return function()
    error(name .. " is not available in --safe mode (it could run programs or C code)", 2)
  end
end

os.execute = refuse("os.execute")
io.popen = refuse("io.popen")
package.loadlib = refuse("package.loadlib")
package.cpath = ""
-- Keep the preload and Lua-file searchers only: the C searchers load shared libraries.
for i = #package.searchers, 3, -1 do package.searchers[i] = nil end
debug = nil
package.loaded.debug = nil

local open, output, remove, rename = io.open, io.output, os.remove, os.rename

function io.open(path, mode)
  if type(path) == "string" and type(mode) == "string" and mode:find("[wa+]") then
    local why = may_write(path)
    if why then return nil, why, 13 end
  end
  return open(path, mode)
end

function io.output(file)
  if type(file) == "string" then
    local why = may_write(file)
    if why then error("bad argument #1 to 'output' (" .. why .. ")", 2) end
  end
  return output(file)
end

function os.remove(path)
  local why = type(path) == "string" and may_write(path)
  if why then return nil, why, 13 end
  return remove(path)
end

function os.rename(from, to)
  for _, p in ipairs({ from, to }) do
    local why = type(p) == "string" and may_write(p)
    if why then return nil, why, 13 end
  end
  return rename(from, to)
end

-- Text chunks only.
-- Text chunks only. An env given as nil is not the same as none, so arity is kept.
local load, loadfile, select = load, loadfile, select
_G.load = function(chunk, name, mode, ...)
  if select("#", ...) > 0 then return load(chunk, name, "t", ...) end
  return load(chunk, name, "t")
end
_G.loadfile = function(path, mode, ...)
  if select("#", ...) > 0 then return loadfile(path, "t", ...) end
  return loadfile(path, "t")
end
_G.dofile = function(path)
  local f = assert(loadfile(path, "t"))
  return f()
end
