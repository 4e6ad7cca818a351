"""Channel kinds, one module each: ``apprise_channel`` (every URL in the Apprise config) and
``outbox`` (the zero-config local folder, itself an Apprise plugin: ``ccmoutbox://``)."""
