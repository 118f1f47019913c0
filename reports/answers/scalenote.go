package answers

import "fmt"

// scaleNote describes a cell's data and schedule, to compare with d2l's.
func scaleNote(cell *Cell) string {
	if !cell.ConfigOK {
		return "settings not recorded (no readable config.toml)"
	}
	c := cell.Config
	train, test := "all 60000", "all 10000"
	if c.TrainLimit > 0 {
		train = fmt.Sprint(c.TrainLimit)
	}
	if c.TestLimit > 0 {
		test = fmt.Sprint(c.TestLimit)
	}
	return fmt.Sprintf("%d epochs, lr %g, batch %d, %d×%d inputs, %s training / %s test images",
		c.Epochs, c.EffectiveLR(), c.BatchSize, c.Resize, c.Resize, train, test)
}
