System.Console.WriteLine("Cortex agents sample");
