console.log('tsetcd');
