package console_test

import (
	"os"
	"testing"

	"usersd/internal/facetest"
)

func TestMain(m *testing.M) { os.Exit(facetest.Main(m)) }
