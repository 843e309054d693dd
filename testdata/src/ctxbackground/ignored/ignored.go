package ignored

import "context"

type Store interface {
	Save(ctx context.Context, key string) error
}

func Save(ctx context.Context, s Store, key string) error {
	//resilvet:ignore ctxbackground the write must complete even if the caller hangs up
	if err := s.Save(context.Background(), key); err != nil {
		return err
	}
	return s.Save(context.Background(), key+".bak") //resilvet:ignore ctxbackground same reason as above
}

func SaveAll(ctx context.Context, s Store, keys []string) error {
	for _, k := range keys {
		//resilvet:ignore missingtimeout a directive for another check does not silence this one
		if err := s.Save(context.Background(), k); err != nil { // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
			return err
		}
	}
	//resilvet:ignore ctxbackground // want `resilvet:ignore directive for ctxbackground has no reason; add why the finding is safe to ignore`
	return s.Save(context.Background(), "done") // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
}
