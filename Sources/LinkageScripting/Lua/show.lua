-- How the values a chunk returned are shown, by the console and by `linkage -e` alike: one
-- function, so both print the same thing. Receives the packed values (t.n) and the options
-- (mode, width, color, rows); returns the text. Uses linkage.render when the renderer is loaded,
-- else shows the values as print does.
return function(values, opts)
  if linkage and linkage.render then return linkage.render(values, opts) end
  local parts = {}
  for i = 1, values.n do parts[i] = tostring(values[i]) end
  return table.concat(parts, "\t")
end
