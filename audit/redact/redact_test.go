package redact_test

import (
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/audit/redact"
)

func TestEachKindIsReplacedByItsPlaceholder(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"email", "write to ada.lovelace+notes@example.co.uk today", "write to [EMAIL] today"},
		{"email in angle brackets", "From: Ada <ada@example.com>", "From: Ada <[EMAIL]>"},
		{"international phone", "call +44 20 7946 0958 now", "call [PHONE] now"},
		{"international phone with dashes", "call +1-415-555-0132.", "call [PHONE]."},
		{"north american phone", "call (415) 555-0132 or 415.555.0199", "call [PHONE] or [PHONE]"},
		{"visa with spaces", "card 4111 1111 1111 1111 exp 12/29", "card [CREDIT_CARD] exp 12/29"},
		{"mastercard with dashes", "5555-5555-5555-4444", "[CREDIT_CARD]"},
		{"amex", "amex 378282246310005.", "amex [CREDIT_CARD]."},
		{"card followed by a year", "4111111111111111 2029", "[CREDIT_CARD] 2029"},
		{"iban with spaces", "IBAN DE89 3704 0044 0532 0130 00 please", "IBAN [IBAN] please"},
		{"iban compact", "GB82WEST12345698765432", "[IBAN]"},
		{"ipv4", "from 192.168.10.254, then 8.8.8.8.", "from [IP_ADDRESS], then [IP_ADDRESS]."},
		{"ipv6", "host 2001:db8::8a2e:370:7334 and ::1", "host [IP_ADDRESS] and [IP_ADDRESS]"},
		{"ipv6 full", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[IP_ADDRESS]"},
		{"ssn", "SSN 078-05-1120.", "SSN [SSN]."},
		{"switchboard key", "key sk-sb-4fJ9kLmN0pQrStUvWxYz0123456789ABCDEFabc", "key [API_KEY]"},
		{"switchboard admin key", "sk-sbadmin-4fJ9kLmN0pQrStUvWxYz0123456789ABCDEFabc", "[API_KEY]"},
		{"openai project key", "OPENAI_API_KEY=sk-proj-abcDEF123456ghiJKL789_mno-PQR", "OPENAI_API_KEY=[API_KEY]"},
		{"anthropic key", "sk-ant-api03-abcdefghijklmnop_qrstu", "[API_KEY]"},
		{"aws access key", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "aws_access_key_id = [AWS_ACCESS_KEY]"},
		{"github token", "token ghp_0123456789abcdefghijABCDEFGHIJ012345", "token [API_KEY]"},
		{"bearer token", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc-DEF_123", "Authorization: Bearer [BEARER_TOKEN]"},
		{"bearer lower case", "curl -H 'authorization: bearer abcdefgh12345678'", "curl -H 'authorization: bearer [BEARER_TOKEN]'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact.String(tc.in); got != tc.want {
				t.Errorf("String(%q)\n got  %q\n want %q", tc.in, got, tc.want)
			}
		})
	}
}

// Ordinary text, code and numbers are left exactly as they are.
func TestNoFalsePositives(t *testing.T) {
	for _, in := range []string{
		"The meeting is on 2026-03-14 at 15:09:26; bring 3 copies.",
		"Order #1234567890123456 shipped", // 16 digits, fails Luhn
		"Invoice total: 1,234,567.89 EUR, VAT 19%",
		"version 1.2.3.4.5 and go1.26.0",
		"use std::io::Result and a::b in Rust; C++ has std::vector<int>",
		"MAC 00:1A:2B:3C:4D:5E",
		"The population grew from 7900000000 to 8100000000.",
		"ratio 2+3 = 5, and 10+20+30 is 60",
		"SSN-like but invalid: 000-12-3456, 666-12-3456, 923-45-6789",
		"ISBN 978-3-16-148410-0 and tracking 1Z999AA10123456784",
		"Temperatures were 12.5, 13.25 and 14.125 degrees.",
		"sk-short is not a key, nor is a task-list-item",
		"matrix [[1, 2], [3, 4]] and coordinates (415, 555)",
		"the year 2024 and the number 555 1234",
		"Deutschland hat DE als Code; FR76 is too short",
		"hex digest deadbeefcafebabe and uuid 123e4567-e89b-12d3-a456-426614174000",
	} {
		if got := redact.String(in); got != in {
			t.Errorf("String(%q) changed it to %q", in, got)
		}
	}
}

func TestRedactingTwiceChangesNothing(t *testing.T) {
	in := "Ada <ada@example.com>, +44 20 7946 0958, 4111 1111 1111 1111, Bearer abcdefgh12345678, 10.0.0.1"
	once := redact.String(in)
	if twice := redact.String(once); twice != once {
		t.Errorf("second pass changed %q to %q", once, twice)
	}
	for _, leak := range []string{"ada@", "7946", "4111", "abcdefgh", "10.0.0.1"} {
		if strings.Contains(once, leak) {
			t.Errorf("%q still holds %q", once, leak)
		}
	}
}

func TestEmptyAndBytes(t *testing.T) {
	if redact.String("") != "" {
		t.Error("empty string changed")
	}
	if got := string(redact.Bytes([]byte("mail bob@example.org"))); got != "mail [EMAIL]" {
		t.Errorf("Bytes: %q", got)
	}
}

func BenchmarkString(b *testing.B) {
	text := strings.Repeat("Please summarise the following meeting notes about the quarterly plan, with numbers 12, 345 and 6789. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		redact.String(text)
	}
}
