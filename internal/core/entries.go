package core

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Profile entries (pronouns.cc names, pronouns and fields; spec
// pronouns.md §7.4–§7.5, fields.md §1.3) are JSON columns whose shape the
// core checks on every write, from any face, for users and members alike:
//
//   - preferred_names: ≤ 100 of {value: 1..100, status}
//   - pronouns: ≤ 100 of {pronouns: 1..100, display_text: ≤ 100 or null, status}
//   - profile_fields: ≤ 25 of {name: 1..100, entries: ≤ 100 of {value, status}}
//   - custom_preferences (users only): ≤ 25 members keyed by UUID, each
//     {icon, tooltip: 1..100, size: large|normal|small, muted, favourite}
//
// Lengths count code points. A status is one of the standard ones or a key
// of the owner's custom preferences in effect after the write. The counts
// of the outer lists are the registry's (Field.Max), checked before.
//
// Keys an entry does not have are dropped, not refused, as pronouns.cc's
// decoder ignores them; what is stored is the canonical form: the keys
// above (in that order, where the store keeps the order: PostgreSQL's
// jsonb does not), display_text "" stored as null, an absent
// display_text, entries, muted or favourite as null, [], false, false.
//
// Changing custom_preferences does not re-check the statuses already
// stored (the user's other lists, their members'): as on pronouns.cc, a
// preference may be removed while entries still name it, and faces show
// such an entry's status as it is; the next write of that list must name a
// status that resolves.

// Entry limits.
const (
	maxEntryText   = 100 // value, pronouns, display_text, field name, tooltip
	maxFieldItems  = 100 // entries of one profile field
	maxKeyInReason = 40  // a client's map key quoted in a reason, at most
)

// standardStatuses are the statuses every entry may have.
var standardStatuses = []string{"favourite", "okay", "jokingly", "friends_only", "avoid"}

// preferenceSizes are the sizes of a custom preference.
var preferenceSizes = []string{"large", "normal", "small"}

var uuidKey = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// icons.txt lists the Bootstrap Icons names a custom preference may show,
// as pronouns.cc checks them: the keys of font/bootstrap-icons.json in the
// npm package bootstrap-icons@1.11.3, one per line.
//
//go:embed icons.txt
var iconList string

var icons = func() map[string]bool {
	m := make(map[string]bool, 2100)
	for _, name := range strings.Fields(iconList) {
		m[name] = true
	}
	return m
}()

// The canonical stored shapes.
type (
	fieldEntry struct {
		Value  string `json:"value"`
		Status string `json:"status"`
	}
	pronounEntry struct {
		Pronouns    string  `json:"pronouns"`
		DisplayText *string `json:"display_text"`
		Status      string  `json:"status"`
	}
	profileField struct {
		Name    string       `json:"name"`
		Entries []fieldEntry `json:"entries"`
	}
	customPreference struct {
		Icon      string `json:"icon"`
		Tooltip   string `json:"tooltip"`
		Size      string `json:"size"`
		Muted     bool   `json:"muted"`
		Favourite bool   `json:"favourite"`
	}
)

// entryProblem is why an entry list is refused; status marks a status
// that does not resolve (ReasonBadStatus).
type entryProblem struct {
	reason string
	status bool
}

func (e *entryProblem) Error() string { return e.reason }

func problemf(format string, args ...any) *entryProblem {
	return &entryProblem{reason: fmt.Sprintf(format, args...)}
}

// checkEntries checks the profile entries in p (preferred_names, pronouns,
// profile_fields: shapes, lengths, statuses; and custom_preferences when
// p has it) against the custom preferences in effect after the write —
// p's custom_preferences when p has them, else prefs, the stored ones —
// and adds each problem to probs under its field name, with the error's
// Reason ReasonBadStatus when a status does not resolve. Lists that pass
// are rewritten in p in their canonical form. Users and members share it.
func checkEntries(p Patch, prefs []byte, probs problems) {
	if raw, ok := p["custom_preferences"].(json.RawMessage); ok {
		prefs = raw
		if v, err := checkPreferences(raw); err != nil {
			probs.add("custom_preferences", err.Error())
		} else {
			p["custom_preferences"] = v
		}
	}
	keys := preferenceKeys(prefs)
	status := func(v any) *entryProblem {
		if s, ok := v.(string); ok && (slices.Contains(standardStatuses, s) || keys[s]) {
			return nil
		}
		return &entryProblem{reason: "status is invalid", status: true}
	}
	for _, c := range []struct {
		field string
		check func(items []any) (any, *entryProblem)
	}{
		{"preferred_names", func(items []any) (any, *entryProblem) { return checkFieldEntries(items, status) }},
		{"pronouns", func(items []any) (any, *entryProblem) { return checkPronouns(items, status) }},
		{"profile_fields", func(items []any) (any, *entryProblem) { return checkProfileFields(items, status) }},
	} {
		raw, ok := p[c.field].(json.RawMessage)
		if !ok {
			continue
		}
		var items []any
		if err := json.Unmarshal(raw, &items); err != nil {
			probs.add(c.field, "must be a JSON array")
			continue
		}
		v, prob := c.check(items)
		if prob != nil {
			probs.add(c.field, prob.reason)
			if prob.status {
				probs.because(ReasonBadStatus)
			}
			continue
		}
		b, err := canonicalJSON(v)
		if err != nil {
			probs.add(c.field, "must be valid JSON")
			continue
		}
		p[c.field] = b
	}
}

// preferenceKeys returns the keys of a custom preferences object; none if
// it is not one.
func preferenceKeys(prefs []byte) map[string]bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(prefs, &m) != nil {
		return nil
	}
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys
}

// within wraps an item's problem with where it is ("item 3: …", counting
// from 1 as clients do).
func within(what string, i int, prob *entryProblem) *entryProblem {
	return &entryProblem{reason: fmt.Sprintf("%s %d: %s", what, i+1, prob.reason), status: prob.status}
}

// entryObject returns item as a JSON object.
func entryObject(item any) (map[string]any, *entryProblem) {
	m, ok := item.(map[string]any)
	if !ok {
		return nil, problemf("must be an object")
	}
	return m, nil
}

// entryText checks a required text of an entry.
func entryText(m map[string]any, key string, min int) (string, *entryProblem) {
	s, ok := m[key].(string)
	switch {
	case m[key] == nil:
		return "", problemf("%s is required", key)
	case !ok:
		return "", problemf("%s must be a string", key)
	}
	if r := checkText(s, min, maxEntryText); r != "" {
		return "", problemf("%s %s", key, r)
	}
	return s, nil
}

func checkFieldEntries(items []any, status func(any) *entryProblem) ([]fieldEntry, *entryProblem) {
	out := make([]fieldEntry, 0, len(items))
	for i, item := range items {
		e, prob := checkFieldEntry(item, status)
		if prob != nil {
			return nil, within("item", i, prob)
		}
		out = append(out, e)
	}
	return out, nil
}

func checkFieldEntry(item any, status func(any) *entryProblem) (fieldEntry, *entryProblem) {
	m, prob := entryObject(item)
	if prob != nil {
		return fieldEntry{}, prob
	}
	v, prob := entryText(m, "value", 1)
	if prob != nil {
		return fieldEntry{}, prob
	}
	if prob := status(m["status"]); prob != nil {
		return fieldEntry{}, prob
	}
	return fieldEntry{Value: v, Status: m["status"].(string)}, nil
}

func checkPronouns(items []any, status func(any) *entryProblem) ([]pronounEntry, *entryProblem) {
	out := make([]pronounEntry, 0, len(items))
	for i, item := range items {
		e, prob := checkPronoun(item, status)
		if prob != nil {
			return nil, within("item", i, prob)
		}
		out = append(out, e)
	}
	return out, nil
}

func checkPronoun(item any, status func(any) *entryProblem) (pronounEntry, *entryProblem) {
	m, prob := entryObject(item)
	if prob != nil {
		return pronounEntry{}, prob
	}
	v, prob := entryText(m, "pronouns", 1)
	if prob != nil {
		return pronounEntry{}, prob
	}
	e := pronounEntry{Pronouns: v}
	switch d := m["display_text"].(type) {
	case nil:
	case string:
		if r := checkText(d, 0, maxEntryText); r != "" {
			return pronounEntry{}, problemf("display_text %s", r)
		}
		if d != "" {
			e.DisplayText = &d
		}
	default:
		return pronounEntry{}, problemf("display_text must be a string or null")
	}
	if prob := status(m["status"]); prob != nil {
		return pronounEntry{}, prob
	}
	e.Status = m["status"].(string)
	return e, nil
}

func checkProfileFields(items []any, status func(any) *entryProblem) ([]profileField, *entryProblem) {
	out := make([]profileField, 0, len(items))
	for i, item := range items {
		f, prob := checkProfileField(item, status)
		if prob != nil {
			return nil, within("item", i, prob)
		}
		out = append(out, f)
	}
	return out, nil
}

func checkProfileField(item any, status func(any) *entryProblem) (profileField, *entryProblem) {
	m, prob := entryObject(item)
	if prob != nil {
		return profileField{}, prob
	}
	name, prob := entryText(m, "name", 1)
	if prob != nil {
		return profileField{}, prob
	}
	var entries []any
	switch es := m["entries"].(type) {
	case nil: // a field may have no entries
	case []any:
		entries = es
	default:
		return profileField{}, problemf("entries must be an array")
	}
	if len(entries) > maxFieldItems {
		return profileField{}, problemf("entries must have at most %d items", maxFieldItems)
	}
	f := profileField{Name: name, Entries: make([]fieldEntry, 0, len(entries))}
	for i, item := range entries {
		e, prob := checkFieldEntry(item, status)
		if prob != nil {
			return profileField{}, within("entry", i, prob)
		}
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

// checkPreferences checks a custom preferences object and returns its
// canonical form.
func checkPreferences(raw json.RawMessage) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, problemf("must be a JSON object")
	}
	out := make(map[string]customPreference, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !uuidKey.MatchString(k) {
			return nil, problemf("key %q is not a UUID", clip(k))
		}
		c, prob := checkPreference(m[k])
		if prob != nil {
			return nil, problemf("preference %s: %s", k, prob.reason)
		}
		out[k] = c
	}
	return canonicalJSON(out)
}

func checkPreference(v any) (customPreference, *entryProblem) {
	m, prob := entryObject(v)
	if prob != nil {
		return customPreference{}, prob
	}
	var c customPreference
	switch icon, ok := m["icon"].(string); {
	case m["icon"] == nil:
		return c, problemf("icon is required")
	case !ok || !icons[icon]:
		return c, problemf("icon must be the name of a Bootstrap icon")
	default:
		c.Icon = icon
	}
	tooltip, prob := entryText(m, "tooltip", 1)
	if prob != nil {
		return c, prob
	}
	c.Tooltip = tooltip
	if size, ok := m["size"].(string); ok && slices.Contains(preferenceSizes, size) {
		c.Size = size
	} else {
		return c, problemf("size must be large, normal or small")
	}
	for _, f := range []struct {
		key string
		dst *bool
	}{{"muted", &c.Muted}, {"favourite", &c.Favourite}} {
		switch b := m[f.key].(type) {
		case nil:
		case bool:
			*f.dst = b
		default:
			return c, problemf("%s must be true or false", f.key)
		}
	}
	return c, nil
}

// clip shortens a client's string quoted in a reason.
func clip(s string) string {
	if r := []rune(s); len(r) > maxKeyInReason {
		return string(r[:maxKeyInReason]) + "…"
	}
	return s
}

// canonicalJSON encodes v compactly, without escaping HTML characters
// (json.Marshal's default), so stored text reads as it was sent.
func canonicalJSON(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
