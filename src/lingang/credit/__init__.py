"""Enterprise credit (issue #6): the credit records of an enterprise, fed by the platform's
events (a closed case first). Rules in docs/credit.md."""
