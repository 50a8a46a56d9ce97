package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// userInput is a decoded create or update body: the registry values and,
// for each, the spelling the client used, so problems the core reports by
// registry name point back at what the client sent.
type userInput struct {
	fields  core.Patch
	spelled map[string]string // registry name -> "bio" or "profile.bio"
}

// decodeUser reads the registry fields of a create or update body. It takes
// the nested shape the API renders ({"profile": {"bio": "x"}}) and, for
// clients written before the groups existed, flat names ({"bio": "x"});
// naming one field both ways is an error. Members named in special are left
// to the caller.
func decodeUser(obj map[string]json.RawMessage, special ...string) (userInput, error) {
	in := userInput{fields: core.Patch{}, spelled: map[string]string{}}
	probs := map[string]string{}
	seen := map[string][]string{} // registry name -> spellings
	take := func(s slot, path string, raw json.RawMessage) {
		seen[s.field.Name] = append(seen[s.field.Name], path)
		v, reason := s.field.DecodeJSON(raw)
		if reason != "" {
			probs[path] = reason
			return
		}
		in.fields[s.field.Name] = v
		in.spelled[s.field.Name] = path
	}
	for key, raw := range obj {
		if contains(special, key) {
			continue
		}
		if g := groupByName[key]; g != nil {
			members, err := groupObject(key, raw)
			if err != nil {
				mergeProblems(probs, err)
				continue
			}
			for name, raw := range members {
				path := key + "." + name
				s, ok := slotOf[name]
				if !ok || s.group != key {
					probs[path] = notInGroup(name, key)
					continue
				}
				take(s, path, raw)
			}
			continue
		}
		s, ok := slotOf[key]
		if !ok {
			probs[key] = "is not a field"
			continue
		}
		take(s, key, raw)
	}
	for name, paths := range seen {
		if len(paths) > 1 {
			sort.Strings(paths)
			probs[slotOf[name].path()] = "is given twice, as " + strings.Join(paths, " and ")
		}
	}
	if len(probs) > 0 {
		return userInput{}, &core.Error{Code: core.Invalid, Message: "Invalid input.", Fields: probs}
	}
	return in, nil
}

// groupObject parses the members of a group in a request body; a member
// given twice is refused, as at the top level.
func groupObject(group string, raw json.RawMessage) (map[string]json.RawMessage, error) {
	if b := strings.TrimLeft(string(raw), " \t\r\n"); !strings.HasPrefix(b, "{") {
		return nil, core.FieldError(group, "must be an object")
	}
	members, err := httpx.ParseObject(raw)
	if err != nil {
		e := core.AsError(err)
		if len(e.Fields) == 0 {
			return nil, core.FieldError(group, "must be a JSON object")
		}
		prefixed := map[string]string{}
		for k, v := range e.Fields {
			prefixed[group+"."+k] = v
		}
		return nil, &core.Error{Code: core.Invalid, Message: "Invalid input.", Fields: prefixed}
	}
	return members, nil
}

// notInGroup explains a member a group does not have, naming the field's
// real place when it has one.
func notInGroup(name, group string) string {
	s, ok := slotOf[name]
	if !ok {
		return "is not a field"
	}
	return fmt.Sprintf("is not a field of %s (it is %s)", group, s.path())
}

func mergeProblems(probs map[string]string, err error) {
	for k, v := range core.AsError(err).Fields {
		probs[k] = v
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// respell rewrites the field names of a core error to the spelling the
// client used, or to the field's native path when the client did not name
// it, so that errors["profile.bio"] answers {"profile": {"bio": …}}.
func (in userInput) respell(err error) error {
	var e *core.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make(map[string]string, len(e.Fields))
	for k, v := range e.Fields {
		switch s, ok := slotOf[k]; {
		case in.spelled[k] != "":
			k = in.spelled[k]
		case ok:
			k = s.path()
		}
		out.Fields[k] = v
	}
	return &out
}

// parseFields reads fields=a,b into the set of registry fields to render.
// An entry is a top-level field (id), a group (profile: all of it) or a
// grouped field by its path (profile.bio). Unknown entries are an error;
// fields the caller may not read are simply absent from each record.
func parseFields(s string) (map[string]bool, error) {
	if s == "" {
		return nil, nil
	}
	only := map[string]bool{}
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if g := groupByName[entry]; g != nil {
			for _, name := range g.fields {
				only[name] = true
			}
			continue
		}
		group, name, dotted := strings.Cut(entry, ".")
		if !dotted {
			group, name = "", entry
		}
		s, ok := slotOf[name]
		switch {
		case ok && s.group == group:
			only[name] = true
		case ok:
			return nil, core.FieldError("fields", fmt.Sprintf("%q is not a field; did you mean %s?", entry, s.path()))
		default:
			return nil, core.FieldError("fields", fmt.Sprintf("%q is not a field", entry))
		}
	}
	return only, nil
}
