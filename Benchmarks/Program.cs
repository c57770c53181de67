System.Console.WriteLine("Cortex benchmarks");
