package console_test

import (
	"os"
	"testing"

	"usersd/internal/facetest"
)

func TestMain(m *testing.M) {
	code := facetest.Main(m)
	stopChromium()
	os.Exit(code)
}
