-- A one-page brief on one township for its party secretary, made with the report module:
--
--   linkage run --read-only samples/reports/township_brief.lua [TOWNSHIP] [AS_OF] [OUT.html|.xlsx|.md]
--
-- The headline figures come from the rules engine (check.all for the township's findings, the
-- coverage report's own numbers), then the findings by check as a chart with its table, and the
-- first fifty findings to act on.
local town = arg[1] or "太京镇"
local as_of = arg[2] or "2012-06-30"
local out = arg[3] or (town .. "-" .. as_of .. ".html")

-- the township's findings: a finding's area begins with its township's name
local mine = {}
for _, f in ipairs(check.all{ as_of = as_of }) do
  if f.area == town or (f.area or ""):sub(1, #town + 1) == town .. " " then mine[#mine + 1] = f end
end
local s = check.summary(mine)

local coverage = report.builtin("coverage", { as_of = as_of, area = town })
local r = report.new{ title = town .. " 联村联户简报", subtitle = "as of " .. as_of }

r:section("概要", { sheet = "概要" })
for _, figure in ipairs(coverage.sections[1].blocks[1].items) do
  r:figure(figure.label, figure.value, { format = figure.format, note = figure.note, tone = figure.tone })
end
r:figure("errors 错误", s.error, { format = "integer", tone = s.error == 0 and "good" or "bad" })
r:figure("warnings 提醒", s.warning, { format = "integer" })

local by_check = {}
for _, name in ipairs(check.names()) do by_check[#by_check + 1] = { check = name, findings = s.by_check[name] or 0 } end
r:section("发现的问题 Findings by check", { sheet = "按检查" })
r:chart{ kind = "bar", title = "findings by check", rows = by_check, category = "check", values = { "findings" }, format = "integer" }

r:section("待办 To act on", { sheet = "待办" })
if #mine == 0 then
  r:text("Nothing: the township meets every rule on " .. as_of .. ".")
else
  r:table(mine, { columns = { "check", "severity", "subject", "area", "message" }, limit = 50 })
end
r:note("Findings are those of `linkage check --as-of " .. as_of .. "` in " .. town .. "; coverage as in `linkage report coverage --area " .. town .. "`.")

r:write(out)
print(("%s: %d errors, %d warnings, %d info; written to %s"):format(town, s.error, s.warning, s.info, out))
