package move

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// sqliteTimeLayouts are the ways SQLite rows hold times: ours (modernc's
// "sqlite" format, with an offset) and River's (UTC, no offset).
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// pgTime is the COPY text form of a timestamptz, always with its offset so
// the server's time zone cannot shift it.
const pgTime = "2006-01-02 15:04:05.999999Z07:00"

// copyValue turns one SQLite value into its PostgreSQL COPY text form for
// a column of type pgType (information_schema udt_name), escaped; NULL is \N.
func copyValue(v any, pgType string) (string, error) {
	if v == nil {
		return `\N`, nil
	}
	if b, ok := v.([]byte); ok && pgType != "bytea" {
		v = string(b)
	}
	switch pgType {
	case "bool":
		switch x := v.(type) {
		case int64:
			return map[bool]string{true: "t", false: "f"}[x != 0], nil
		case bool:
			return map[bool]string{true: "t", false: "f"}[x], nil
		case string:
			b, err := strconv.ParseBool(x)
			if err != nil {
				return "", fmt.Errorf("boolean %q: %w", x, err)
			}
			return map[bool]string{true: "t", false: "f"}[b], nil
		}
	case "timestamptz", "timestamp":
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Format(pgTime), nil
		case string:
			for _, layout := range sqliteTimeLayouts {
				if t, err := time.Parse(layout, x); err == nil {
					return t.UTC().Format(pgTime), nil
				}
			}
			return "", fmt.Errorf("time %q in no known layout", x)
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return `\\x` + hex.EncodeToString(x), nil
		case string:
			return `\\x` + hex.EncodeToString([]byte(x)), nil
		}
	case "bit":
		// River's unique_states: an integer bitmask in SQLite, bit(8) here
		// with the lowest bit last.
		if x, ok := v.(int64); ok {
			return fmt.Sprintf("%08b", x), nil
		}
	case "_text", "_varchar", "_jsonb":
		s, ok := v.(string)
		if !ok {
			break
		}
		return arrayLiteral(s, pgType == "_jsonb")
	}
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return map[bool]string{true: "t", false: "f"}[x], nil
	case time.Time:
		return x.UTC().Format(pgTime), nil
	case string:
		return escapeCopy(x), nil
	}
	return "", fmt.Errorf("a %T for a %s column", v, pgType)
}

// arrayLiteral turns a JSON array (how River keeps arrays in SQLite) into a
// PostgreSQL array literal; jsonb elements stay JSON text.
func arrayLiteral(js string, jsonElems bool) (string, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal([]byte(js), &elems); err != nil {
		return "", fmt.Errorf("array %q: %w", js, err)
	}
	parts := make([]string, len(elems))
	for i, e := range elems {
		s := string(e)
		if !jsonElems {
			if err := json.Unmarshal(e, &s); err != nil {
				return "", fmt.Errorf("array element %s: %w", e, err)
			}
		}
		parts[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return escapeCopy("{" + strings.Join(parts, ",") + "}"), nil
}

// escapeCopy escapes a value for COPY text format.
func escapeCopy(s string) string {
	if !strings.ContainsAny(s, "\\\t\n\r") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(s)
}
