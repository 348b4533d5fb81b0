package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// policy is a parsed RAM policy document (Version "1").
type policy struct {
	statements []statement
}

type statement struct {
	allow     bool
	actions   []string
	resources []string
}

// stringOrList accepts "x" or ["x", "y"].
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("must be a string or an array of strings")
	}
	*s = many
	return nil
}

type policyJSON struct {
	Version   string
	Statement []struct {
		Effect   string
		Action   stringOrList
		Resource stringOrList
	}
}

// parsePolicy checks the grammar the emulator supports: Version "1" and
// statements with Effect, Action and Resource only (Condition, NotAction
// and Principal are refused rather than silently ignored).
func parsePolicy(text string) (*policy, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.DisallowUnknownFields()
	var pj policyJSON
	if err := dec.Decode(&pj); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if dec.More() {
		return nil, errors.New("policy: trailing data")
	}
	if pj.Version != "1" {
		return nil, fmt.Errorf("policy: Version must be \"1\", got %q", pj.Version)
	}
	if len(pj.Statement) == 0 {
		return nil, errors.New("policy: no Statement")
	}
	p := &policy{}
	for i, st := range pj.Statement {
		var allow bool
		switch st.Effect {
		case "Allow":
			allow = true
		case "Deny":
		default:
			return nil, fmt.Errorf("policy: statement %d: Effect must be Allow or Deny", i)
		}
		if len(st.Action) == 0 || len(st.Resource) == 0 {
			return nil, fmt.Errorf("policy: statement %d: Action and Resource are required", i)
		}
		for _, a := range st.Action {
			if a != "*" && !strings.Contains(a, ":") {
				return nil, fmt.Errorf("policy: statement %d: action %q is not service:Action", i, a)
			}
		}
		p.statements = append(p.statements, statement{allow: allow, actions: st.Action, resources: st.Resource})
	}
	return p, nil
}

// effect is "allow", "deny" (explicit) or "" (no statement matched).
func (p *policy) effect(action, resource string) string {
	allowed := false
	for _, st := range p.statements {
		if !matchAny(st.actions, action, true) || !matchAny(st.resources, resource, false) {
			continue
		}
		if !st.allow {
			return "deny"
		}
		allowed = true
	}
	if allowed {
		return "allow"
	}
	return ""
}

func matchAny(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if wildcard(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if wildcard(p, s) {
			return true
		}
	}
	return false
}

// wildcard matches s against p where '*' is any run and '?' one byte.
func wildcard(p, s string) bool {
	star, mark := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(p) && p[i] == '*': // before the literal case: a '*' in s is no match for it
			star, mark = i, j
			i++
		case i < len(p) && (p[i] == '?' || p[i] == s[j]):
			i++
			j++
		case star >= 0:
			i = star + 1
			mark++
			j = mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}
