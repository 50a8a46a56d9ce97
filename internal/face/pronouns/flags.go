package pronouns

import (
	"net/http"

	"usersd/internal/core"
	"usersd/internal/face/doc"
)

// handleFlagList handles "GET /users/@me/flags": every flag the caller
// owns, shown or not.
func (h *handler) handleFlagList(r *http.Request) (doc.Value, error) {
	me, err := requireCaller(r)
	if err != nil {
		return doc.Value{}, err
	}
	fs, err := h.svc.Flags(r.Context(), me)
	if err != nil {
		return doc.Value{}, err
	}
	return flagsValue(fs), nil
}

// flagText checks a flag's name (1..100) and description (..500).
func flagText(name, description *string) error {
	if name != nil {
		if *name == "" {
			return badRequest("name: may not be empty")
		}
		if err := checkLength("name", *name, 100); err != nil {
			return err
		}
	}
	if description != nil {
		return checkLength("description", *description, 500)
	}
	return nil
}

// handleFlagCreate handles "POST /users/@me/flags": 200, not 201, as
// everywhere in this API (spec §8.4).
func (h *handler) handleFlagCreate(r *http.Request) (doc.Value, error) {
	me, body, err := callerAndBody(r)
	if err != nil {
		return doc.Value{}, err
	}
	in, err := parseNewFlag(body)
	if err != nil {
		return doc.Value{}, err
	}
	f, err := h.svc.CreateFlag(r.Context(), me, in)
	if err != nil {
		return doc.Value{}, err
	}
	return flagValue(f), nil
}

func parseNewFlag(body []byte) (core.NewFlag, error) {
	var in core.NewFlag
	o, err := parseObject(body)
	if err != nil {
		return in, err
	}
	var name, desc string
	hasImage, err := o.get("flag", &in.Image)
	if err != nil {
		return in, err
	}
	hasName, err := o.get("name", &name)
	if err != nil {
		return in, err
	}
	hasDesc, err := o.get("description", &desc)
	if err != nil {
		return in, err
	}
	switch {
	case !hasImage || in.Image == "":
		return in, badRequest("flag: an image is required")
	case !hasName:
		return in, badRequest("name: is required")
	}
	in.Name = name
	if hasDesc && desc != "" {
		in.Description = &desc
	}
	return in, flagText(&in.Name, in.Description)
}

// flagID reads the {id} of a flag route: not an xid is 400 (spec §8.4).
func flagID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !core.IsXID(id) {
		return "", badRequest("%q is not a flag id", id)
	}
	return id, nil
}

// handleFlagUpdate handles "PATCH /users/@me/flags/{id}".
func (h *handler) handleFlagUpdate(r *http.Request) (doc.Value, error) {
	me, body, err := callerAndBody(r)
	if err != nil {
		return doc.Value{}, err
	}
	id, err := flagID(r)
	if err != nil {
		return doc.Value{}, err
	}
	in, err := parseFlagUpdate(body)
	if err != nil {
		return doc.Value{}, err
	}
	f, err := h.svc.UpdateFlag(r.Context(), me, id, in)
	if err != nil {
		return doc.Value{}, err
	}
	return flagValue(f), nil
}

func parseFlagUpdate(body []byte) (core.FlagUpdate, error) {
	var in core.FlagUpdate
	o, err := parseObject(body)
	if err != nil {
		return in, err
	}
	var name, desc string
	if ok, err := o.get("name", &name); err != nil {
		return in, err
	} else if ok {
		in.Name = &name
	}
	if ok, err := o.get("description", &desc); err != nil {
		return in, err
	} else if ok {
		in.Description = &desc
	}
	if in.Name == nil && in.Description == nil {
		return in, fail(codeBadRequest, "Data must not be empty")
	}
	return in, flagText(in.Name, in.Description)
}

// handleFlagDelete handles "DELETE /users/@me/flags/{id}": 204, no body.
func (h *handler) handleFlagDelete(r *http.Request) (doc.Value, error) {
	me, err := requireCaller(r)
	if err != nil {
		return doc.Value{}, err
	}
	id, err := flagID(r)
	if err != nil {
		return doc.Value{}, err
	}
	return noContent, h.svc.DeleteFlag(r.Context(), me, id)
}
