package drf

import (
	"bytes"
	"encoding/json"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"

	"usersd/internal/httpx"
)

// maxFormMemory is what a multipart form keeps in memory; the body is
// already bounded by httpx.ReadBody.
const maxFormMemory = 1 << 20

// readData is request.data as DRF's default parsers (JSONParser,
// FormParser, MultiPartParser) give it: a JSON object's values decoded
// (numbers as json.Number), a form's values as strings, the last of a
// repeated key winning (QueryDict.get). An empty body is no data. It
// answers 400, 413 or 415 itself and reports false then.
func readData(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	body, err := httpx.ReadBody(r)
	if err != nil {
		detail(w, http.StatusRequestEntityTooLarge, "Request body too large.")
		return nil, false
	}
	ct := r.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	data := map[string]any{}
	if len(body) == 0 {
		return data, true // DRF skips the parsers when there is no content
	}
	switch mt {
	case "application/json":
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			detail(w, http.StatusBadRequest, "JSON parse error - "+err.Error())
			return nil, false
		}
		if dec.More() {
			detail(w, http.StatusBadRequest, "JSON parse error - Extra data")
			return nil, false
		}
		m, ok := v.(map[string]any)
		if !ok {
			fieldErrors(w, map[string]string{"non_field_errors": "Invalid data. Expected a dictionary, but got " + pyType(v) + "."})
			return nil, false
		}
		return m, true
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			detail(w, http.StatusBadRequest, "Malformed form body.")
			return nil, false
		}
		for k, vs := range q {
			data[k] = vs[len(vs)-1]
		}
		return data, true
	case "multipart/form-data":
		form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(maxFormMemory)
		if err != nil {
			detail(w, http.StatusBadRequest, "Multipart form parse error - "+err.Error())
			return nil, false
		}
		defer form.RemoveAll()
		for k, vs := range form.Value {
			data[k] = vs[len(vs)-1]
		}
		return data, true
	}
	detail(w, http.StatusUnsupportedMediaType, `Unsupported media type "`+ct+`" in request.`)
	return nil, false
}

// pyType names a decoded JSON value's Python type, as DRF's message does.
func pyType(v any) string {
	switch v := v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case bool:
		return "bool"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "int"
		}
		return "float"
	}
	return "NoneType"
}
