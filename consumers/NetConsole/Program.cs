using System;
using System.IO;
using Cortex.Consumers;
using Cortex.Samples.Godot;

string directory = Directory.CreateTempSubdirectory("cortex-net8-").FullName;
try
{
    Console.WriteLine(RoundTrip.Run(directory));

    // The Godot example, stepped as Godot would: _Ready, physics ticks, _ExitTree (which saves the brain).
    Godot.ProjectSettings.UserDirectory = directory;
    var academy = new CortexAcademy { AgentCount = 32 };
    academy._Ready();
    for (int tick = 0; tick < 600; tick++) academy._PhysicsProcess(1.0 / 60);
    long steps = academy.Steps;
    academy._ExitTree();
    if (steps != 600 || !File.Exists(Path.Combine(directory, "walker.cbrain"))) throw new InvalidOperationException("the Godot example did not step or save");
    Console.WriteLine($"godot example: {steps} physics ticks, brain saved");
}
finally
{
    Directory.Delete(directory, recursive: true);
}
