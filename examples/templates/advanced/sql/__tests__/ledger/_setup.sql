-- fixture for the ledger tests, after the one above: alice has 100 - 30
SELECT api.book_entry('alice', 100);
SELECT api.book_entry('alice', -30);
