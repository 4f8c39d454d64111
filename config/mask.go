package config

// Masked returns a copy of props in which the value of every key that d
// defines as a Password is "[hidden]", as Java's Password.toString shows it:
// for logging a configuration, or showing it back to a user. Keys d does not
// define are copied as they are; props is not changed. A nil d masks nothing.
func (d *Def) Masked(props map[string]string) map[string]string {
	out := make(map[string]string, len(props))
	for k, v := range props {
		if d != nil {
			if i, ok := d.index[k]; ok && d.keys[i].Type == Password {
				v = hidden
			}
		}
		out[k] = v
	}
	return out
}
