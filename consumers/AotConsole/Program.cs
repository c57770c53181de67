using System;
using System.IO;
using Cortex.Consumers;

string directory = Directory.CreateTempSubdirectory("cortex-aot-").FullName;
try
{
    Console.WriteLine(RoundTrip.Run(directory));
}
finally
{
    Directory.Delete(directory, recursive: true);
}
