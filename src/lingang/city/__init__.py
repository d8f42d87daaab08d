"""一网统管 city operations (issue #9): sensor and hotline events, classification, dispatch,
working-day time limits and the 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 loop. Rules in
docs/city.md."""
