package store

import (
	"fmt"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		want []string
	}{
		{"plain statements", "-- comment\nCREATE TABLE a (x INT);\n\nCREATE INDEX a_x\n    ON a (x);\n",
			[]string{"CREATE TABLE a (x INT);", "CREATE INDEX a_x\n    ON a (x);"}},
		{"trigger body keeps its semicolons",
			"CREATE TRIGGER t AFTER INSERT ON a BEGIN\n    INSERT INTO b VALUES (1);\n    -- inside\n    INSERT INTO b VALUES (2);\nEND;\nINSERT INTO a VALUES (3);\n",
			[]string{"CREATE TRIGGER t AFTER INSERT ON a BEGIN\n    INSERT INTO b VALUES (1);\n    INSERT INTO b VALUES (2);\nEND;", "INSERT INTO a VALUES (3);"}},
		{"temporary trigger, lower case end",
			"create temp trigger t after delete on a begin\n  delete from b;\nend;\n",
			[]string{"create temp trigger t after delete on a begin\n  delete from b;\nend;"}},
		{"dollar-quoted function body",
			"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    x := 1;\n    RETURN NEW;\nEND;\n$$;\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();\nSELECT 1;\n",
			[]string{"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    x := 1;\n    RETURN NEW;\nEND;\n$$;",
				"CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();", "SELECT 1;"}},
		{"one-line dollar quote", "SELECT $$a;b$$;\nSELECT 2;\n", []string{"SELECT $$a;b$$;", "SELECT 2;"}},
		{"trailing statement without semicolon", "SELECT 1", []string{"SELECT 1"}},
		{"a table named trigger_log is not a trigger", "CREATE TABLE trigger_log (x INT);\nSELECT 1;\n",
			[]string{"CREATE TABLE trigger_log (x INT);", "SELECT 1;"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := splitStatements(c.sql)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
				t.Fatalf("got %q\nwant %q", got, c.want)
			}
		})
	}
}
