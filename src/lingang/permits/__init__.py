"""Online government services (一网通办, issue #8): the service catalogue, applications through
the statutory stages, 告知承诺 and signed e-licences. Rules in docs/permits.md."""
