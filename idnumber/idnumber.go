// Package idnumber reads the 18-character resident ID number of the
// People's Republic of China (GB 11643-1999): 17 digits and a check
// character, a digit or X.
package idnumber

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Length is the number of characters of an ID number.
const Length = 18

// weights are the GB 11643 weights of the first 17 digits.
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CheckChar is the check character of the 17 digits of an ID number.
func CheckChar(body string) byte {
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// Error says what is wrong with a typed ID number, in Chinese and English.
type Error struct {
	ZH, EN string
}

func (e *Error) Error() string { return e.ZH + " / " + e.EN }

// Normalize is a typed ID number without spaces, with an upper-case X.
func Normalize(typed string) string { return strings.ToUpper(strings.Join(strings.Fields(typed), "")) }

// Parse checks a typed ID number — spaces ignored, x in either case — and
// returns it in its written form (Normalize).
func Parse(typed string) (string, error) {
	s := Normalize(typed)
	if n := utf8.RuneCountInString(s); n != Length {
		return "", &Error{fmt.Sprintf("身份证号应为 18 位，您输入了 %d 位", n), fmt.Sprintf("an ID number has 18 characters; %d were typed", n)}
	}
	for i := 0; i < Length-1; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", &Error{fmt.Sprintf("身份证号前 17 位应为数字，第 %d 位不是", i+1), fmt.Sprintf("the first 17 characters must be digits; character %d is not", i+1)}
		}
	}
	last := s[Length-1]
	if (last < '0' || last > '9') && last != 'X' {
		return "", &Error{"身份证号最后一位应为数字或 X", "the last character must be a digit or X"}
	}
	if CheckChar(s) != last {
		return "", &Error{"身份证号校验位不符，请逐位核对", "the check character does not match: check every digit"}
	}
	return s, nil
}
