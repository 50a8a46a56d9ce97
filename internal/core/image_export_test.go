package core

// DecodeImage exposes decodeImage to the image tests.
func (s *Service) DecodeImage(kind, dataURI string) (*Image, error) {
	return s.decodeImage(kind, dataURI)
}
