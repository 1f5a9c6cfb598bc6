// Package spendrows holds what the SQL backends' spend queries
// (store/postgres, store/sqlite) share beyond their SQL: the layout of a
// result row (the grouped dimensions, then the totals) and the cost total
// served through QuerySpend. Each backend keeps its own SQL and its own way
// of reading the day column.
package spendrows
