package doc

import "testing"

// TestAddAfterAddUnique: Add keeps the first of a repeated key also when
// the key came by AddUnique.
func TestAddAfterAddUnique(t *testing.T) {
	o := NewObjectCap(2)
	o.Add("a", Int(1))
	o.AddUnique("b", Int(2))
	o.Add("b", Int(3))
	o.Add("a", Int(4))
	o.Add("c", Int(5))
	if got := string(JSON{}.Marshal(Obj(o))); got != `{"a":1,"b":2,"c":5}` {
		t.Errorf("got %s", got)
	}
}
