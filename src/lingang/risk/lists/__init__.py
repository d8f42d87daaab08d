"""Named risk lists (风险名单): block and allow lists, high-risk countries, sanctioned parties,
sensitive HS codes — edited at run time, with their whole history kept."""
