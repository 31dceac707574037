-- Households by township and cause of poverty (致贫原因), with the mean income of each
-- township: the table a district leader asks for when deciding where training (缺技术) or
-- medical aid (因病) should go.
--
--   linkage run --read-only samples/reports/causes.lua [OUT.html|.xlsx|.md]
local out = arg[1] or "causes.html"

local r = report.new{ title = "致贫原因 Causes of poverty", subtitle = "every household of the register, by its main cause" }

r:section("按乡镇 By township", { sheet = "按乡镇" })
local by_cause = db.query([[
  SELECT h.main_cause AS cause, count(*) AS households, round(avg(h.income)) AS income
  FROM household AS h GROUP BY h.main_cause ORDER BY households DESC]])
r:figure("households", households:count(), { format = "integer" })
r:figure("the commonest cause", by_cause[1].cause, { note = by_cause[1].households .. " households" })
r:table(households:pivot{ rows = "township", columns = "main_cause", value = "count" },
        { title = "households by township and main cause (合计: the totals)" })

r:section("收入 Incomes", { sheet = "收入" })
r:table(households:group_by("township"):aggregate{ households = "count", income = { "avg", "income" }, members = { "sum", "members" } },
        { formats = { income = "decimal:0" } })
r:chart{ kind = "bar", title = "mean income by main cause", rows = by_cause, category = "cause", values = { "income" }, format = "integer" }

r:note("Counted from the household table: main_cause is the cause the register records first (主要致贫原因).")
r:write(out)
print("written to " .. out)
