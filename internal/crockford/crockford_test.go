package crockford

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"7k3m-q9xa", "7K3MQ9XA", ""},
		{" 7K3M Q9XA ", "7K3MQ9XA", ""},
		{"ＩＬＯ1-2345", "11012345", ""},
		{"7K3M—Q9XA", "7K3MQ9XA", ""},
		{"7K3M-Q9XU", "", `it contains 'U'`},
		{"7K3M-Q9X票", "", `it contains '票'`},
		{"7K3M-Q9XA-0", "", "more than 8 characters"},
	} {
		got, err := Normalize(tc.in, 8)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %s", tc.in, got, err, tc.want, tc.err)
		}
	}
}
